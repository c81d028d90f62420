using System.Diagnostics;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deployments;

/// <summary>Rolls between real plugin processes under steady load, embedded: what operators rely on when they ship.</summary>
[TestClass]
public sealed class RollingTests
{
    [TestMethod]
    public async Task Rolling_echo_to_2_0_0_and_back_under_steady_load_fails_no_call()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", Echo()));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        await using var load = SteadyLoad.Start(8, ct => DispatchAsync(supervisor, "echo", ct));
        await load.WaitForCallsAsync(200, "on 1.0.0");

        var rolled = await supervisor.RollPluginAsync("echo", "2.0.0", wait: true).DefaultTimeout();
        var rolledAt = Stopwatch.GetTimestamp();
        await load.WaitForCallsAsync(load.Calls.Count + 200, "on 2.0.0");
        var afterRoll = supervisor.GetPlugin("echo");
        var rollbackStarted = Stopwatch.GetTimestamp();
        var back = await supervisor.RollbackPluginAsync("echo", wait: true).DefaultTimeout();
        var backAt = Stopwatch.GetTimestamp();
        await load.WaitForCallsAsync(load.Calls.Count + 200, "on 1.0.0 again");
        await load.StopAsync();

        Assert.IsEmpty(load.Failures, load.DescribeFailures());
        Assert.AreEqual(RollPhase.Completed, rolled.Roll.Phase);
        Assert.AreEqual("2.0.0", afterRoll.ActiveVersion);
        Assert.AreEqual("1.0.0", afterRoll.PreviousVersion);
        Assert.IsTrue(afterRoll.Instances.All(i => i.Version == "2.0.0"), "after the roll only 2.0.0 instances run");
        Assert.IsTrue(back.Roll.Rollback);
        Assert.AreEqual(RollPhase.Completed, back.Roll.Phase);
        Assert.AreEqual("1.0.0", supervisor.GetPlugin("echo").ActiveVersion);

        // Every call started after a roll completed was answered by the version it rolled to.
        var versions = load.Calls.Where(c => c.Started > rolledAt && c.Ended < rollbackStarted).Select(c => c.Version).Distinct().ToList();
        CollectionAssert.AreEquivalent(new[] { "2.0.0" }, versions);
        Assert.IsTrue(load.Calls.Where(c => c.Started > backAt).All(c => c.Version == "1.0.0"), "calls after the rollback are answered by 1.0.0");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.RollCompleted && e.Roll.Rollback, "the rollback's completed event");
        var rollEvents = events.All.Where(e => e.Roll is not null).Select(e => e.Type).ToList();
        CollectionAssert.AreEqual(
            new[]
            {
                LifecycleEventType.RollStarted, LifecycleEventType.RollVersionReady, LifecycleEventType.RollWeightChanged, LifecycleEventType.RollOldDrained, LifecycleEventType.RollCompleted,
                LifecycleEventType.RollStarted, LifecycleEventType.RollVersionReady, LifecycleEventType.RollWeightChanged, LifecycleEventType.RollOldDrained, LifecycleEventType.RollCompleted,
            },
            rollEvents,
            string.Join(", ", rollEvents));
    }

    [TestMethod]
    public async Task A_call_in_flight_on_the_old_version_completes_during_the_drain()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("sleepy", Echo()));
        var slowCall = supervisor.DispatchAsync("sleepy", TestEvents.Create("sleep", "2000")).AsTask();
        await Wait.UntilAsync(() => supervisor.GetPlugin("sleepy").Instances.Sum(i => i.InFlight) == 1, "the sleep call to be in flight");
        var oldPids = supervisor.GetPlugin("sleepy").Instances.Select(i => i.Pid).ToList();

        var roll = supervisor.RollPluginAsync("sleepy", "2.0.0", wait: true);
        var reply = await slowCall.DefaultTimeout();
        var slowCallDone = Stopwatch.GetTimestamp();
        var rolled = await roll.DefaultTimeout();

        Assert.AreEqual("1.0.0", reply.PluginVersion);
        Assert.AreEqual("slept 2000 ms", reply.Payload.ToStringUtf8());
        Assert.AreEqual(RollPhase.Completed, rolled.Roll.Phase);
        Assert.IsTrue(rolled.Roll.EndedAt.ToDateTimeOffset() >= DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(slowCallDone) - TimeSpan.FromMilliseconds(50), "the roll completed after the in-flight call");
        foreach (var pid in oldPids)
        {
            Assert.IsFalse(Posix.IsAlive(pid), $"old process {pid} was stopped after the drain");
        }

        var next = await supervisor.DispatchAsync("sleepy", TestEvents.Create("echo", "hi")).AsTask().DefaultTimeout();
        Assert.AreEqual("2.0.0", next.PluginVersion);
    }

    [TestMethod]
    public async Task A_roll_to_a_version_that_cannot_start_leaves_the_old_version_serving()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", Echo()));
        await using var load = SteadyLoad.Start(8, ct => DispatchAsync(supervisor, "echo", ct));
        await load.WaitForCallsAsync(100, "before the roll");

        var refused = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("echo", "6.6.6").DefaultTimeout());
        await load.WaitForCallsAsync(load.Calls.Count + 100, "after the failed roll");
        await load.StopAsync();

        Assert.AreEqual(RollError.StartFailed, refused.Error);
        StringAssert.Contains(refused.Message, VersionedPlugins.BrokenStderr);
        StringAssert.Contains(refused.Message, "1.0.0 serves every call");
        Assert.IsEmpty(load.Failures, load.DescribeFailures());
        Assert.IsTrue(load.Calls.All(c => c.Version == "1.0.0"));
        var plugin = supervisor.GetPlugin("echo");
        Assert.AreEqual("1.0.0", plugin.ActiveVersion);
        Assert.AreEqual(RollPhase.Aborted, plugin.Roll.Phase);
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.All(i => i.Version == "1.0.0"), "the broken version's processes to be gone");
    }

    [TestMethod]
    public async Task A_canary_that_fails_its_analysis_rolls_itself_back()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        var options = Echo();
        options.Canary = new CanaryOptions { Steps = [50], Interval = TimeSpan.FromSeconds(1), MinCalls = 5 };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("flaky", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("flaky"));

        // 1.0.0 echoes "throw"; 2.0.0 throws on it.
        await using var load = SteadyLoad.Start(4, ct => DispatchAsync(supervisor, "flaky", ct, "throw"));
        await load.WaitForCallsAsync(50, "before the canary");
        var aborted = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("flaky", "2.0.0", RollStrategy.Canary, wait: true).DefaultTimeout());
        var abortedAt = Stopwatch.GetTimestamp();
        await load.WaitForCallsAsync(load.Calls.Count + 100, "after the rollback");
        await load.StopAsync();

        Assert.AreEqual(RollError.Aborted, aborted.Error);
        StringAssert.Contains(aborted.Message, "failure rate");
        var plugin = supervisor.GetPlugin("flaky");
        Assert.AreEqual("1.0.0", plugin.ActiveVersion);
        Assert.AreEqual(RollPhase.Aborted, plugin.Roll.Phase);
        Assert.IsFalse(plugin.Roll.LastAnalysis.Passed);
        Assert.IsGreaterThan(0ul, plugin.Roll.LastAnalysis.Failures);
        Assert.IsTrue(load.Failures.All(f => f.Started < abortedAt), "only calls routed to the canary failed: " + load.DescribeFailures());
        Assert.IsTrue(load.Calls.Where(c => c.Started > abortedAt).All(c => c.Version == "1.0.0"));
        var analysis = await events.WaitForAsync(e => e.Type == LifecycleEventType.RollAnalysis, "the canary analysis event");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.RollAborted, "the roll aborted event");
        Assert.IsFalse(analysis.Roll.LastAnalysis.Passed);
        await Wait.UntilAsync(() => supervisor.GetPlugin("flaky").Instances.All(i => i.Version == "1.0.0"), "the canary's processes to be gone");
    }

    [TestMethod]
    public async Task A_healthy_canary_moves_calls_in_steps_and_completes_without_failures()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        var options = Echo();
        options.Canary = new CanaryOptions { Steps = [20, 60], Interval = TimeSpan.FromSeconds(1), MinCalls = 5, MaxP99Ratio = 0 };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        await using var load = SteadyLoad.Start(4, ct => DispatchAsync(supervisor, "echo", ct));
        await load.WaitForCallsAsync(50, "before the canary");

        var started = await supervisor.RollPluginAsync("echo", "2.0.0", RollStrategy.Canary).DefaultTimeout();
        var during = supervisor.GetPlugin("echo");
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Roll.Phase == RollPhase.Completed, () => $"the canary to complete ({supervisor.GetPlugin("echo").Roll})");
        await load.WaitForCallsAsync(load.Calls.Count + 50, "after the canary");
        await load.StopAsync();

        Assert.IsEmpty(load.Failures, load.DescribeFailures());
        Assert.AreEqual(RollPhase.Shifting, started.Roll.Phase);
        Assert.AreEqual(20u, started.Roll.WeightPercent);
        Assert.AreEqual("1.0.0", during.ActiveVersion, "during the canary the old version is still the active one");
        CollectionAssert.IsSubsetOf(new[] { "1.0.0", "2.0.0" }, during.Instances.Select(i => i.Version).Distinct().ToList());
        await events.WaitForAsync(e => e.Type == LifecycleEventType.RollCompleted, "the roll completed event");
        var weights = events.All.Where(e => e.Type == LifecycleEventType.RollWeightChanged).Select(e => e.Roll.WeightPercent).ToList();
        CollectionAssert.AreEqual(new uint[] { 20, 60, 100 }, weights);
        Assert.AreEqual(2, events.All.Count(e => e.Type == LifecycleEventType.RollAnalysis && e.Roll.LastAnalysis.Passed));
        Assert.AreEqual("2.0.0", supervisor.GetPlugin("echo").ActiveVersion);
    }

    [TestMethod]
    public async Task Rolls_are_refused_with_a_reason_an_operator_can_act_on()
    {
        using var dir = new TempDirectory();
        var root = VersionedPlugins.CreateRoot(dir);
        var options = Echo();
        options.Canary = new CanaryOptions { Steps = [10], Interval = TimeSpan.FromMinutes(10) };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", options));

        var unknown = await Assert.ThrowsExactlyAsync<KeyNotFoundException>(() => supervisor.RollPluginAsync("nope", "1.0.0"));
        var missing = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("echo", "9.9.9"));
        var noPrevious = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollbackPluginAsync("echo"));
        var same = await supervisor.RollPluginAsync("echo", "1.0.0");
        await supervisor.RollPluginAsync("echo", "2.0.0", RollStrategy.Canary).DefaultTimeout();
        var busy = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("echo", "2.0.0"));
        var rollback = await supervisor.RollbackPluginAsync("echo", wait: true).DefaultTimeout();

        StringAssert.Contains(unknown.Message, "no plugin named 'nope'");
        Assert.AreEqual(RollError.VersionNotFound, missing.Error);
        StringAssert.Contains(missing.Message, Path.Combine(root, "echo", "9.9.9", "plugin.json"));
        StringAssert.Contains(missing.Message, "1.0.0, 2.0.0, 3.0.0, 6.6.6");
        Assert.AreEqual(RollError.NoPreviousVersion, noPrevious.Error);
        Assert.IsTrue(same.NoOp);
        StringAssert.Contains(same.Message, "already on 1.0.0");
        Assert.AreEqual(RollError.AlreadyRolling, busy.Error);
        StringAssert.Contains(busy.Message, "canary step 1 of 1, 10% of calls on 2.0.0");
        Assert.AreEqual(RollPhase.Aborted, rollback.Roll.Phase);
        StringAssert.Contains(rollback.Roll.Reason, "RollbackPlugin");
        Assert.AreEqual("1.0.0", supervisor.GetPlugin("echo").ActiveVersion);
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.All(i => i.Version == "1.0.0"), "the aborted canary's processes to be gone");
    }

    [TestMethod]
    public async Task Stopping_the_supervisor_in_the_middle_of_a_canary_leaves_no_process_behind()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        var options = Echo();
        options.Canary = new CanaryOptions { Steps = [50], Interval = TimeSpan.FromMinutes(10) };
        var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", options));
        await supervisor.RollPluginAsync("echo", "2.0.0", RollStrategy.Canary).DefaultTimeout();
        var pids = supervisor.GetPlugin("echo").Instances.Select(i => i.Pid).ToList();

        await supervisor.DisposeAsync().AsTask().DefaultTimeout();

        Assert.HasCount(4, pids, "both versions ran during the canary");
        foreach (var pid in pids)
        {
            Assert.IsFalse(Posix.IsAlive(pid), $"plugin process {pid} outlived the supervisor");
        }

        await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("echo", "1.0.0"));
    }

    internal static PluginOptions Echo() => new()
    {
        Version = "1.0.0",
        Instances = 2,
        Deadline = TimeSpan.FromSeconds(10),
        DrainTimeout = TimeSpan.FromSeconds(10),
    };

    private static async Task<string> DispatchAsync(PluginSupervisor supervisor, string plugin, CancellationToken cancellationToken, string eventName = "customer.created")
    {
        var reply = await supervisor.DispatchAsync(plugin, TestEvents.Create(eventName, "payload"), cancellationToken: cancellationToken);
        return reply.PluginVersion;
    }
}
