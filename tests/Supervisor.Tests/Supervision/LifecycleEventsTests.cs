using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Supervision;

[TestClass]
public sealed class LifecycleEventsTests
{
    [TestMethod]
    public async Task A_watch_sees_every_event_published_after_the_call_even_before_its_first_read()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));
        var watch = supervisor.WatchEventsAsync("echo");

        var killed = supervisor.KillInstance("echo").Single();
        await using var reader = watch.GetAsyncEnumerator();

        Assert.IsTrue(await reader.MoveNextAsync().AsTask().DefaultTimeout());
        Assert.AreEqual(LifecycleEventType.Killed, reader.Current.Type);
        Assert.AreEqual(killed, reader.Current.InstanceId);
    }
}
