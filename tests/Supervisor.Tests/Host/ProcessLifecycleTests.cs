using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>The supervisor executable's process lifecycle over its admin API, and as a container's PID 1.</summary>
[TestClass]
public sealed class ProcessLifecycleTests
{
    [TestMethod]
    public async Task WatchEvents_streams_a_kill_and_the_restart_that_follows()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(channel);
        using var watch = admin.WatchEvents(new WatchEventsRequest { Plugin = "echo" });
        await watch.ResponseHeadersAsync.DefaultTimeout();
        var killedId = (await admin.KillInstanceAsync(new KillInstanceRequest { Plugin = "echo" })).KilledInstanceIds.Single();

        var seen = new List<LifecycleEvent>();
        while (!seen.Any(e => e.Type == LifecycleEventType.Ready))
        {
            Assert.IsTrue(await watch.ResponseStream.MoveNext().DefaultTimeout(), "the stream ended early");
            seen.Add(watch.ResponseStream.Current);
        }

        var types = seen.Select(e => e.Type).ToList();
        CollectionAssert.AreEqual(
            new[] { LifecycleEventType.Killed, LifecycleEventType.Exited, LifecycleEventType.RestartScheduled, LifecycleEventType.Started, LifecycleEventType.Ready },
            types.ToArray(),
            string.Join(", ", types));
        Assert.AreEqual("admin", seen[0].Reason);
        Assert.AreEqual(killedId, seen[1].InstanceId);
        Assert.AreEqual(9, seen[1].Signal);
        Assert.IsTrue(seen.All(e => e.Plugin == "echo" && e.Version == "1.0.0" && e.Time is not null));
        Assert.IsGreaterThan(0, seen[3].Pid);
    }

    [TestMethod]
    public async Task A_hang_behind_the_events_API_counts_as_a_timeout_and_is_caught_right_after_HangGrace()
    {
        using var dir = new TempDirectory();
        var chaos = SupervisorConfig.Plugin("1.0.0");
        chaos["HangGrace"] = "00:00:00.500";
        chaos["LivenessInterval"] = "00:00:10"; // only the check right after the deadline can be this quick
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = chaos }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var adminChannel = supervisor.AdminChannel();
        using var eventsChannel = SupervisorChannel.Create(supervisor.EventsAddress);
        var admin = new AdminService.AdminServiceClient(adminChannel);
        using var watch = admin.WatchEvents(new WatchEventsRequest { Plugin = "chaos" });
        await watch.ResponseHeadersAsync.DefaultTimeout();
        var events = new Supervisor.Protocol.Events.V1.EventService.EventServiceClient(eventsChannel);
        // Open the connection first, so the 300 ms are the plugin's, not the test's connection setup.
        await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(new Supervisor.Protocol.Events.V1.DispatchRequest()).ResponseAsync);
        var deadline = DateTime.UtcNow.AddMilliseconds(300);

        var error = await Assert.ThrowsExactlyAsync<RpcException>(() => events
            .DispatchAsync(new Supervisor.Protocol.Events.V1.DispatchRequest { Plugin = "chaos", Event = new Supervisor.Protocol.Plugin.V1.Event { Name = "hang" } }, deadline: deadline).ResponseAsync);
        LifecycleEvent? killed = null;
        while (killed is null)
        {
            Assert.IsTrue(await watch.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(8)), "the stream ended early");
            killed = watch.ResponseStream.Current.Type == LifecycleEventType.Killed ? watch.ResponseStream.Current : null;
        }

        var counters = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "chaos" })).Plugin.Counters;
        Assert.AreEqual(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.AreEqual("hung", killed.Reason);
        Assert.IsLessThan(TimeSpan.FromSeconds(4), killed.Time.ToDateTime() - deadline, "caught by the post-deadline check, not the 10 s poll");
        Assert.AreEqual(1ul, counters.Timeouts, "a deadline behind the events API is a timeout, not a cancellation");
    }

    [TestMethod]
    public async Task WatchEvents_and_RestartPlugin_refuse_an_unknown_plugin()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(channel);

        var restart = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.RestartPluginAsync(new RestartPluginRequest { Plugin = "nope" }).ResponseAsync);
        using var watch = admin.WatchEvents(new WatchEventsRequest { Plugin = "nope" });
        var watchError = await Assert.ThrowsExactlyAsync<RpcException>(() => watch.ResponseStream.MoveNext());

        Assert.AreEqual(StatusCode.NotFound, restart.StatusCode);
        Assert.AreEqual(StatusCode.NotFound, watchError.StatusCode);
    }

    [TestMethod]
    public async Task As_PID_1_of_a_container_the_supervisor_reaps_orphaned_zombies()
    {
        if (!PidNamespace.IsAvailable)
        {
            Assert.Inconclusive("needs root and util-linux unshare to give the supervisor its own PID namespace");
        }

        using var dir = new TempDirectory();
        ScriptedPlugins.CreateRoot(dir);
        var json = SupervisorConfig.Create(dir, new JsonObject { ["orphaner"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["PluginsRoot"] = dir.File("plugins");

        // In bubblewrap's pid namespace an orphan goes to the sandbox's own init, never to the supervisor: the zombies
        // PID 1 must reap are those of plugins run without it.
        json["Supervisor"]!["Sandbox"] = new JsonObject { ["Disable"] = new JsonArray("namespaces") };
        var config = SupervisorConfig.Write(dir, json);

        await using var supervisor = await SupervisorProcess.StartAsync(config, null, PidNamespace.Launcher);
        var init = ProcTable.ChildrenOf(supervisor.Pid).Single();
        await supervisor.WaitForLineAsync(l => l.Contains("Ready in", StringComparison.Ordinal));

        // The orphaned sleep is now PID 1's child; once it exits, only PID 1 can reap it.
        var orphan = ProcTable.ChildrenOf(init.Pid).SingleOrDefault(c => c.Command == "sleep");
        Assert.AreNotEqual(0, orphan.Pid, "the orphan must have been re-parented to the supervisor");
        Posix.Signal(orphan.Pid, Posix.SigKill);
        await Wait.UntilAsync(() => !ProcTable.ChildrenOf(init.Pid).Any(c => c.Command == "sleep" && c.State != 'Z'), "the orphan to exit");
        await Wait.UntilAsync(() => !ProcTable.ChildrenOf(init.Pid).Any(c => c.State == 'Z'), "PID 1 to reap the zombie", TimeSpan.FromSeconds(5));
        Posix.Signal(init.Pid, Posix.SigTerm);
        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual("supervisor", init.Command);
        Assert.AreEqual(0, exitCode, "SIGTERM to PID 1 is a clean shutdown");
    }
}
