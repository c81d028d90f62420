using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;
using static Supervisor.Tests.TestAssets.TestEvents;

namespace Supervisor.Tests.Sandbox;

/// <summary>
/// No descendant outlives its instance or the supervisor: the hostile plugin leaves a daemon that double-forked,
/// called setsid, ignores SIGHUP and SIGTERM and closed its stdin.
/// </summary>
[TestClass]
public sealed class DescendantContainmentTests
{
    [TestMethod]
    public async Task A_daemon_left_by_a_plugin_ends_when_its_instance_is_killed()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("hostile", new PluginOptions { Version = "1.0.0" }));
        var instance = supervisor.GetPlugin("hostile").Instances.Single();
        RequireOne(instance, "cgroup", "namespaces");
        var marker = SandboxLayers.Marker();

        await supervisor.DispatchAsync("hostile", Create("daemonize", marker)).AsTask().DefaultTimeout();
        await Wait.UntilAsync(() => SandboxLayers.ProcessesWith(marker).Count == 1, "the daemon to run");
        var daemon = SandboxLayers.ProcessesWith(marker).Single();
        supervisor.KillInstance("hostile", instance.Id);

        await Wait.UntilAsync(() => !Posix.IsAlive(daemon), () => $"the daemon (pid {daemon}) to end with its instance");
        await Wait.UntilAsync(() => supervisor.GetPlugin("hostile").Instances.Any(i => i.Id != instance.Id && i.State == InstanceState.Ready), "the replacement");
    }

    [TestMethod]
    public async Task Nothing_a_plugin_started_outlives_a_SIGKILLed_supervisor()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["hostile"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var admin = supervisor.AdminChannel();
        var instance = (await new AdminService.AdminServiceClient(admin).GetPluginAsync(new GetPluginRequest { Plugin = "hostile" })).Plugin.Instances.Single();
        SandboxLayers.Require(instance, "namespaces");
        var marker = SandboxLayers.Marker();
        using var events = Protocol.SupervisorChannel.Create(supervisor.EventsAddress);
        await new EventService.EventServiceClient(events).DispatchAsync(new DispatchRequest { Plugin = "hostile", Event = Create("daemonize", marker) }).ResponseAsync.DefaultTimeout();
        await Wait.UntilAsync(() => SandboxLayers.ProcessesWith(marker).Count == 1, "the daemon to run");
        var daemon = SandboxLayers.ProcessesWith(marker).Single();

        supervisor.Signal(Posix.SigKill);
        await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await Wait.UntilAsync(() => !Posix.IsAlive(daemon) && !Posix.IsAlive(instance.Pid), () => $"the daemon (pid {daemon}, alive: {Posix.IsAlive(daemon)}) and the plugin (pid {instance.Pid}, alive: {Posix.IsAlive(instance.Pid)}) to end with the supervisor");
    }

    [TestMethod]
    public async Task A_plugin_started_while_the_thread_that_asked_has_ended_lives_on()
    {
        // The parent-death signal fires when the thread that forked the child exits. The supervisor starts this plugin
        // from a thread that ends right after; were the fork on that thread, the plugin would be SIGKILLed with it.
        using var dir = new TempDirectory();
        var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0" })));
        await using var _ = supervisor;
        Exception? failure = null;
        var starter = new Thread(() =>
        {
            try
            {
                supervisor.StartAsync().GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        starter.Start();
        starter.Join();
        Assert.IsNull(failure);
        var instance = supervisor.GetPlugin("echo").Instances.Single();
        RequireOne(instance, "namespaces", "no_new_privs");

        var reply = await supervisor.DispatchAsync("echo", Create("echo", "alive")).AsTask().DefaultTimeout();

        Assert.AreEqual(instance.Id, reply.InstanceId);
        Assert.IsTrue(Posix.IsAlive(instance.Pid), "the plugin outlived the thread that started it");
    }

    private static void RequireOne(InstanceInfo instance, params string[] layers)
    {
        if (!layers.Any(name => instance.Sandbox.Layers.Any(l => l.Name == name && l.Applied)))
        {
            Assert.Inconclusive($"this host applies none of the sandbox layers {string.Join(", ", layers)}: {string.Join("; ", instance.Sandbox.Layers.Select(l => $"{l.Name}: {l.Detail}"))}");
        }
    }
}
