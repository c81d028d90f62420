using Grpc.Core;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>Every SDK, behind a real supervisor: a hung handler and a crash cost the process, never the caller's wait.</summary>
[TestClass]
public sealed class SupervisionConformanceTests
{
    // Short polls, so a frozen process (Node's blocked event loop) is found in about a second.
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan LivenessTimeout = TimeSpan.FromMilliseconds(500);

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_busy_loop_hang_is_killed_and_replaced_within_HangGrace_plus_the_liveness_window(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = ConformancePlugins.Version, HangGrace = TimeSpan.FromMilliseconds(500), LivenessInterval = LivenessInterval, LivenessTimeout = LivenessTimeout };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync(name));
        var hung = supervisor.GetPlugin(name).Instances.Single();
        var deadline = DateTime.UtcNow.AddMilliseconds(300);

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(name, TestEvents.Create("hang", ""), deadline).AsTask().DefaultTimeout());
        var killed = await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == hung.Id, "the hung instance to be killed");
        await Wait.UntilAsync(() => !Posix.IsAlive(hung.Pid), "the hung process to be gone");
        var ready = await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != hung.Id, "a replacement to be ready");
        var reply = await supervisor.DispatchAsync(name, TestEvents.Create("echo", "back")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.AreEqual("hung", killed.Reason, events.Describe());
        // .NET answers GetStatus with the handler past its deadline (judged at HangGrace); Node's blocked event loop
        // answers nothing (two missed polls). Whichever comes first, it is within HangGrace plus the liveness window.
        var window = options.HangGrace + LivenessInterval + (2 * LivenessTimeout);
        var killedAfterDeadline = killed.Time.ToDateTime() - deadline;
        // Generous slack for a loaded 2-core machine; ./build.sh bench measures the real figures.
        Assert.IsLessThan(window + TimeSpan.FromSeconds(3), killedAfterDeadline, $"killed {killedAfterDeadline.TotalMilliseconds:0} ms after the deadline; window {window.TotalMilliseconds:0} ms");
        Assert.AreEqual("back", reply.Payload.ToStringUtf8());
        Assert.AreEqual(ready.InstanceId, reply.InstanceId);
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_crash_during_a_call_is_answered_ABORTED_and_the_process_is_restarted(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, new PluginOptions { Version = ConformancePlugins.Version }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync(name));
        var crashed = supervisor.GetPlugin(name).Instances.Single();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(name, TestEvents.Create("crash", "")).AsTask().DefaultTimeout());
        var exited = await events.WaitForAsync(e => e.Type == LifecycleEventType.Exited && e.InstanceId == crashed.Id, "the crashed process's exit");
        var ready = await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != crashed.Id, "a restarted instance to be ready");
        var reply = await supervisor.DispatchAsync(name, TestEvents.Create("echo", "again")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.Aborted, error.Error, error.Message);
        Assert.AreEqual(3, exited.ExitCode, events.Describe());
        StringAssert.Contains(exited.Message, "conformance: crashing on request", "the exit event carries the stderr tail");
        Assert.AreEqual("again", reply.Payload.ToStringUtf8());
        Assert.AreEqual(ready.InstanceId, reply.InstanceId);
    }

    [TestMethod]
    public async Task A_node_handler_in_a_synchronous_busy_loop_blocks_the_event_loop_so_GetStatus_stops_answering()
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync("node");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var before = await client.GetStatusAsync(new GetStatusRequest()).ResponseAsync.DefaultTimeout();

        var hang = client.HandleEventAsync(ConformancePlugins.Request("hang", ""), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync;
        var hangError = await Assert.ThrowsExactlyAsync<RpcException>(() => hang.DefaultTimeout());
        var statusError = await Assert.ThrowsExactlyAsync<RpcException>(() => client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(0u, before.InFlight);
        // The client's own deadline answers both: the process cannot answer anything any more.
        Assert.AreEqual(StatusCode.DeadlineExceeded, hangError.StatusCode);
        Assert.AreEqual(StatusCode.DeadlineExceeded, statusError.StatusCode);
        Assert.IsFalse(plugin.Process.HasExited);
    }

    [TestMethod]
    public async Task A_node_process_whose_event_loop_is_blocked_still_dies_within_two_seconds_of_its_stdin_reaching_end_of_file()
    {
        // The supervisor SIGKILLed: nobody will kill this process group, so the plugin must notice on its own.
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync("node");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        // Connected first, so the short deadline below is spent in the handler, not on connecting.
        await client.GetStatusAsync(new GetStatusRequest()).ResponseAsync.DefaultTimeout();
        var hang = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(ConformancePlugins.Request("hang", ""), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync.DefaultTimeout());
        var blocked = await Assert.ThrowsExactlyAsync<RpcException>(() => client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync.DefaultTimeout());

        var closed = System.Diagnostics.Stopwatch.StartNew();
        plugin.Process.StandardInput.Close();
        await plugin.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var goneAfter = closed.Elapsed;

        Assert.AreEqual(StatusCode.DeadlineExceeded, hang.StatusCode);
        Assert.AreEqual(StatusCode.DeadlineExceeded, blocked.StatusCode, "the event loop is blocked");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), goneAfter, $"gone {goneAfter.TotalMilliseconds:0} ms after stdin closed");
    }

    [TestMethod]
    public async Task A_node_process_whose_event_loop_is_blocked_is_killed_and_replaced_by_the_liveness_check_alone()
    {
        var name = ConformancePlugins.Require("node");
        using var dir = new TempDirectory();
        // HangGrace far beyond the test's waits: only the unanswered liveness polls can be what kills the process.
        var options = new PluginOptions { Version = ConformancePlugins.Version, HangGrace = TimeSpan.FromMinutes(5), LivenessInterval = LivenessInterval, LivenessTimeout = LivenessTimeout };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync(name));
        var blocked = supervisor.GetPlugin(name).Instances.Single();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(name, TestEvents.Create("hang", ""), DateTime.UtcNow.AddMilliseconds(300)).AsTask().DefaultTimeout());
        var killed = await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == blocked.Id, "the blocked instance to be killed", TimeSpan.FromSeconds(20));
        await Wait.UntilAsync(() => !Posix.IsAlive(blocked.Pid), "the blocked process to be gone");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != blocked.Id, "a replacement to be ready");
        var reply = await supervisor.DispatchAsync(name, TestEvents.Create("echo", "unblocked")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.AreEqual("hung", killed.Reason);
        StringAssert.Contains(killed.Message, "liveness", events.Describe());
        Assert.AreEqual("unblocked", reply.Payload.ToStringUtf8());
    }
}
