using Supervisor.Configuration;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Supervision;

[TestClass]
public sealed class ShutdownTests
{
    [TestMethod]
    public async Task Stopping_while_a_liveness_poll_is_unanswered_completes_and_kills_the_process()
    {
        using var dir = new TempDirectory();

        // Polls every 50 ms and waits up to a minute for an answer: a frozen process leaves one outstanding.
        var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions
        {
            Version = "1.0.0",
            LivenessInterval = TimeSpan.FromMilliseconds(50),
            LivenessTimeout = TimeSpan.FromMinutes(1),
        }));
        var pid = SandboxLayers.PluginProcessOf(supervisor.GetPlugin("echo").Instances.Single().Pid);
        Posix.Signal(pid, Posix.SigStop);
        await Wait.UntilAsync(() => Posix.StateOf(pid) == 'T', "the plugin to be stopped");

        // Not synchronisation: four poll intervals pass, so a poll is waiting on the frozen process when the stop comes.
        await Task.Delay(TimeSpan.FromMilliseconds(200));

        // A poll cancelled by the stop surfaces as an RpcException; it once escaped and failed the whole shutdown.
        await supervisor.StopAsync().DefaultTimeout();
        await supervisor.DisposeAsync().AsTask().DefaultTimeout();

        Assert.IsFalse(Posix.IsAlive(pid), "the frozen plugin was killed");
    }
}
