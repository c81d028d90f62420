using System.Text;
using Google.Protobuf;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Supervision;

/// <summary>Start failures, crash loops and quarantine, and graceful restarts, with real processes.</summary>
[TestClass]
public sealed class RestartTests
{
    [TestMethod]
    [DataRow("mute", "not ready within StartupTimeout")]
    [DataRow("garbage", "malformed ready line 'SUPERVISOR_PLUGIN_READY banana'")]
    [DataRow("missing", "not-built-yet")]
    [DataRow("crasher", "exited before it was ready (exit code 3); stderr: crasher: cannot open /etc/crasher.conf")]
    public async Task A_plugin_that_does_not_become_ready_is_killed_counted_as_a_crash_and_reported(string plugin, string expected)
    {
        using var dir = new TempDirectory();
        ScriptedPlugins.CreateRoot(dir);
        var options = new PluginOptions { Version = "1.0.0", StartupTimeout = TimeSpan.FromMilliseconds(700), RestartDelay = TimeSpan.FromSeconds(30), RestartMaxDelay = TimeSpan.FromSeconds(30) };
        var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, (plugin, options)));
        await using var _ = supervisor;
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync(plugin));

        await supervisor.StartAsync().DefaultTimeout();
        var failed = await events.WaitForAsync(e => e.Type == LifecycleEventType.StartFailed, "the start failure");
        var scheduled = await events.WaitForAsync(e => e.Type == LifecycleEventType.RestartScheduled, "a restart to be scheduled");
        var refused = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(plugin, new Event { Name = "x" }).AsTask());

        StringAssert.Contains(failed.Message, expected);
        Assert.IsGreaterThan(TimeSpan.FromSeconds(20), scheduled.Delay.ToTimeSpan(), "the next start waits for the backoff");
        Assert.AreEqual(DispatchError.Unavailable, refused.Error);
        if (plugin == "mute")
        {
            var pid = failed.Pid;
            Assert.IsTrue(events.All.Any(e => e.Type == LifecycleEventType.Killed && e.Reason == "startup"), events.Describe());
            await Wait.UntilAsync(() => !Posix.IsAlive(pid), "the never-ready process to be killed");
        }
    }

    [TestMethod]
    public async Task A_crash_loop_ends_in_a_quarantine_that_says_why_until_an_operator_lifts_it()
    {
        using var dir = new TempDirectory();
        ScriptedPlugins.CreateRoot(dir);
        var options = new PluginOptions { Version = "1.0.0", MaxRestarts = 2, RestartDelay = TimeSpan.FromMilliseconds(50), RestartMaxDelay = TimeSpan.FromMilliseconds(100) };
        var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("crasher", options)));
        await using var _ = supervisor;
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("crasher"));
        await supervisor.StartAsync().DefaultTimeout();

        var quarantined = await events.WaitForAsync(e => e.Type == LifecycleEventType.Quarantined, "the quarantine");
        var refused = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("crasher", new Event { Name = "x" }).AsTask());
        var info = supervisor.GetPlugin("crasher");
        var startsBeforeLift = events.All.Count(e => e.Type == LifecycleEventType.StartFailed);
        var (_, lifted) = supervisor.RestartPlugin("crasher");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.QuarantineLifted, "the quarantine to be lifted");
        await Wait.UntilAsync(() => events.All.Count(e => e.Type == LifecycleEventType.StartFailed) > startsBeforeLift, "a new start after the lift");

        StringAssert.Contains(quarantined.Message, "restarted 2 times within RestartWindow");
        StringAssert.Contains(quarantined.Message, "exit code 3");
        StringAssert.Contains(quarantined.Message, "crasher: cannot open /etc/crasher.conf");
        Assert.AreEqual(DispatchError.Unavailable, refused.Error);
        StringAssert.Contains(refused.Message, "cannot open /etc/crasher.conf");
        StringAssert.Contains(refused.Message, "RestartPlugin");
        Assert.AreEqual(PluginState.Quarantined, info.State);
        Assert.AreEqual(3, startsBeforeLift, "MaxRestarts 2: the first start and two restarts, then quarantine");
        Assert.IsTrue(lifted);
    }

    [TestMethod]
    public async Task RestartPlugin_starts_new_processes_before_draining_the_old_and_no_call_fails()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0", Instances = 2 }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        var old = supervisor.GetPlugin("echo").Instances.Select(i => i.Id).ToHashSet();
        using var load = new CancellationTokenSource();
        var failures = 0;
        var calls = 0;
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                try
                {
                    await supervisor.DispatchAsync("echo", new Event { Name = "x", Payload = ByteString.CopyFromUtf8("load") });
                    Interlocked.Increment(ref calls);
                }
                catch (DispatchException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Wait.UntilAsync(() => Volatile.Read(ref calls) > 50, "load to be flowing");

        var (recycled, lifted) = supervisor.RestartPlugin("echo");
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.Count(i => i.State == InstanceState.Ready && !old.Contains(i.Id)) == 2
            && supervisor.GetPlugin("echo").Instances.All(i => !old.Contains(i.Id)), "both instances replaced and the old ones gone");
        await load.CancelAsync();
        await Task.WhenAll(callers).DefaultTimeout();

        CollectionAssert.AreEquivalent(old.ToArray(), recycled.ToArray());
        Assert.IsFalse(lifted);
        Assert.AreEqual(0, failures, $"{calls} calls succeeded");
        foreach (var id in old)
        {
            // An instance leaves GetPlugin just before its exited event is published: wait for the event, do not assume it.
            var firstNewReady = await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready && !old.Contains(e.InstanceId), "a new instance ready");
            var oldExited = await events.WaitForAsync(e => e.Type == LifecycleEventType.Exited && e.InstanceId == id, $"old instance {id} exited");
            Assert.IsLessThan(oldExited.Time.ToDateTime(), firstNewReady.Time.ToDateTime(), "a new process is ready before an old one goes");
        }
    }

    [TestMethod]
    public async Task A_killed_instance_leaves_no_socket_file_behind()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        var killed = supervisor.GetPlugin("echo").Instances.Single().Id;
        string SocketOf(string instanceId) => Path.Combine(dir.File("run"), "echo", instanceId["echo-".Length..] + ".sock");
        Assert.IsTrue(File.Exists(SocketOf(killed)), "the live instance's socket");

        supervisor.KillInstance("echo", killed);
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Exited && e.InstanceId == killed, "the kill to be seen");
        var replacement = await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready, "the replacement");

        Assert.IsFalse(File.Exists(SocketOf(killed)), "SIGKILL leaves the socket file; the supervisor removes it");
        Assert.IsTrue(File.Exists(SocketOf(replacement.InstanceId)));
    }

    [TestMethod]
    public async Task A_plugin_json_that_became_unreadable_fails_the_restart_and_keeps_the_slot_supervised()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.File("plugins"), "relocated", "1.0.0");
        Directory.CreateDirectory(folder);
        var manifest = Path.Combine(folder, "plugin.json");
        File.WriteAllText(manifest, $$"""{ "command": "{{Repository.PluginExecutable("echo", "1.0.0")}}" }""");
        var options = new PluginOptions { Version = "1.0.0", RestartDelay = TimeSpan.FromMilliseconds(50), RestartMaxDelay = TimeSpan.FromMilliseconds(100), MaxRestarts = 2 };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("relocated", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("relocated"));

        // A symbolic link to itself: reading it fails with ELOOP (root reads a 0600 file, so a mode cannot show this).
        File.Delete(manifest);
        File.CreateSymbolicLink(manifest, manifest);
        supervisor.KillInstance("relocated", supervisor.GetPlugin("relocated").Instances.Single().Id);
        var failed = await events.WaitForAsync(e => e.Type == LifecycleEventType.StartFailed, "the restart to fail");
        var quarantined = await events.WaitForAsync(e => e.Type == LifecycleEventType.Quarantined, "the slot to go on failing into a quarantine");

        StringAssert.Contains(failed.Message, manifest);
        StringAssert.Contains(quarantined.Message, manifest);
    }
}
