using System.Diagnostics;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;
using InstanceState = Supervisor.Protocol.Admin.V1.InstanceState;

namespace Supervisor.Tests.Supervision;

/// <summary>Callers never see a restart: calls wait for a starting instance within their deadline, with real processes.</summary>
[TestClass]
public sealed class AvailabilityTests
{
    private static Event Event(string name, string payload) => TestEvents.Create(name, payload);

    [TestMethod]
    public async Task A_call_made_while_a_hung_instance_is_replaced_waits_for_the_replacement()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0", HangGrace = TimeSpan.FromMilliseconds(300) }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("chaos"));
        var hung = supervisor.GetPlugin("chaos").Instances.Single();

        var timedOut = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("hang", ""), DateTime.UtcNow.AddMilliseconds(300)).AsTask()).DefaultTimeout();
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Recycling && e.InstanceId == hung.Id, "the hung instance to be taken out of service");
        var reply = await supervisor.DispatchAsync("chaos", Event("echo", "after the hang"), DateTime.UtcNow.AddSeconds(20)).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.DeadlineExceeded, timedOut.Error);
        Assert.AreEqual("after the hang", reply.Payload.ToStringUtf8());
        Assert.AreNotEqual(hung.Id, reply.InstanceId);
    }

    [TestMethod]
    public async Task A_call_made_right_after_a_crash_waits_for_the_restart()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0" }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("chaos"));
        var crashed = supervisor.GetPlugin("chaos").Instances.Single();

        var aborted = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("crash", "")).AsTask()).DefaultTimeout();
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Exited && e.InstanceId == crashed.Id, "the crash to be seen");
        var reply = await supervisor.DispatchAsync("chaos", Event("echo", "after the crash"), DateTime.UtcNow.AddSeconds(20)).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.Aborted, aborted.Error);
        Assert.AreEqual("after the crash", reply.Payload.ToStringUtf8());
        Assert.AreNotEqual(crashed.Id, reply.InstanceId);
    }

    [TestMethod]
    public async Task Killing_every_instance_under_load_fails_only_the_calls_it_interrupts()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0", Instances = 2 }));
        await using var load = SteadyLoad.Start(4, async _ => (await supervisor.DispatchAsync("echo", Event("x", "load"), DateTime.UtcNow.AddSeconds(20))).PluginVersion);
        await load.WaitForCallsAsync(50, "before the kills");

        for (var round = 0; round < 3; round++)
        {
            var killed = supervisor.KillInstance("echo");
            Assert.AreEqual(2, killed.Count);
            await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.Count(i => i.State == InstanceState.Ready && !killed.Contains(i.Id)) == 2, "both instances back");
            var calls = load.Calls.Count;
            await load.WaitForCallsAsync(calls + 20, "after the restart");
        }

        await load.StopAsync();

        // A call in flight in a killed process is lost (ABORTED, the plugin is not idempotent); every other call waits.
        Assert.IsTrue(load.Failures.All(f => f.Error!.Contains("died or dropped the connection during the call", StringComparison.Ordinal)), load.DescribeFailures());
        Assert.IsLessThanOrEqualTo(3 * 4, load.Failures.Count, "at most the calls in flight at each kill");
    }

    [TestMethod]
    public async Task A_call_that_no_start_can_serve_in_time_fails_at_once_saying_when_the_next_start_is()
    {
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = "1.0.0", RestartDelay = TimeSpan.FromSeconds(20), RestartMaxDelay = TimeSpan.FromSeconds(20) };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("chaos"));

        await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("crash", "")).AsTask()).DefaultTimeout();
        await events.WaitForAsync(e => e.Type == LifecycleEventType.RestartScheduled, "the restart to be scheduled");
        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("echo", ""), DateTime.UtcNow.AddSeconds(5)).AsTask()).DefaultTimeout();
        var answeredIn = clock.Elapsed;

        Assert.AreEqual(DispatchError.Unavailable, refused.Error);
        StringAssert.Contains(refused.Message, "restarts in");
        StringAssert.Contains(refused.Message, "after the call's deadline");
        StringAssert.Contains(refused.Message, "exit code 3");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), answeredIn, "refused at once, not at the deadline");
    }

    [TestMethod]
    public async Task Queued_calls_that_cannot_finish_by_their_deadline_are_shed_at_once_with_RESOURCE_EXHAUSTED()
    {
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = "1.0.0", MaxConcurrency = 4, QueueLimit = 400 };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", options));
        var clock = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.AddSeconds(4.5);

        var calls = Enumerable.Range(0, 200).Select(async _ =>
        {
            try
            {
                await supervisor.DispatchAsync("chaos", Event("sleep", "1000"), deadline);
                return (Error: (DispatchError?)null, At: clock.Elapsed, Message: string.Empty);
            }
            catch (DispatchException ex)
            {
                return (Error: (DispatchError?)ex.Error, At: clock.Elapsed, ex.Message);
            }
        }).ToArray();
        var results = await Task.WhenAll(calls).DefaultTimeout();

        var ok = results.Count(r => r.Error is null);
        var shed = results.Where(r => r.Error == DispatchError.ResourceExhausted).ToList();
        var late = results.Count(r => r.Error == DispatchError.DeadlineExceeded);
        var summary = $"{ok} OK, {shed.Count} RESOURCE_EXHAUSTED (last at {(shed.Count == 0 ? 0 : shed.Max(s => s.At.TotalMilliseconds)):0} ms), {late} DEADLINE_EXCEEDED, others: {string.Join("; ", results.Where(r => r.Error is not (null or DispatchError.ResourceExhausted or DispatchError.DeadlineExceeded)).Select(r => r.Message).Distinct())}";
        Assert.IsGreaterThanOrEqualTo(8, ok, summary);
        Assert.IsGreaterThanOrEqualTo(150, shed.Count, summary);
        Assert.IsLessThanOrEqualTo(8, late, summary);
        Assert.IsTrue(shed.All(s => s.At < TimeSpan.FromSeconds(3)), $"shed long before the deadline: {summary}");
        StringAssert.Contains(shed[0].Message, "queued ahead");
        Assert.IsLessThan(TimeSpan.FromSeconds(5.5), results.Max(r => r.At), "every call answered by its deadline");
    }

    [TestMethod]
    public async Task Killing_an_instance_while_it_starts_is_not_counted_toward_quarantine()
    {
        using var dir = new TempDirectory();
        ScriptedPlugins.CreateRoot(dir);
        var options = new PluginOptions { Version = "1.0.0", MaxRestarts = 1, RestartDelay = TimeSpan.FromMilliseconds(50) };
        var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("slow-starter", options)));
        await using var _ = supervisor;
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("slow-starter"));
        var starting = supervisor.StartAsync();

        for (var kill = 0; kill < 3; kill++)
        {
            var attempt = kill;
            await Wait.UntilAsync(() => events.All.Count(e => e.Type == LifecycleEventType.Started) > attempt, $"start {attempt + 1}");
            var started = events.All.Where(e => e.Type == LifecycleEventType.Started).ElementAt(attempt);
            supervisor.KillInstance("slow-starter", started.InstanceId);
            await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == started.InstanceId, $"kill {kill + 1}");
        }

        await starting.DefaultTimeout();
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready, "an instance to be ready after the kills");

        Assert.IsFalse(events.All.Any(e => e.Type is LifecycleEventType.Quarantined or LifecycleEventType.StartFailed), events.Describe());
        Assert.IsTrue(events.All.Where(e => e.Type == LifecycleEventType.Killed).All(e => e.Reason == "admin"), events.Describe());
    }

    [TestMethod]
    public async Task An_instance_recycled_for_memory_is_stopped_when_that_recycle_quarantines_the_plugin()
    {
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = "1.0.0", MemoryLimitMb = 150, MaxRestarts = 0, LivenessInterval = TimeSpan.FromMilliseconds(200) };

        // The poll's recycle, which the kernel's cap would pre-empt with a kill.
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, SandboxMode.Off, ("chaos", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("chaos"));
        var greedy = supervisor.GetPlugin("chaos").Instances.Single();

        await supervisor.DispatchAsync("chaos", Event("alloc", "200")).AsTask().DefaultTimeout();
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Quarantined, "the quarantine");
        await Wait.UntilAsync(() => !Posix.IsAlive(greedy.Pid), () => $"the over-limit process to be stopped\n{events.Describe()}");

        Assert.IsTrue(events.All.Any(e => e.Type == LifecycleEventType.Recycling && e.Reason == "memory"), events.Describe());
        Assert.AreEqual(PluginState.Quarantined, supervisor.GetPlugin("chaos").State);
    }
}
