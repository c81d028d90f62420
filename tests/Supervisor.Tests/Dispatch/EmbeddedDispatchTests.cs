using System.Diagnostics;
using Google.Protobuf;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Dispatch;

/// <summary>Embedded <see cref="PluginSupervisor.DispatchAsync"/> against real plugin processes.</summary>
[TestClass]
public sealed class EmbeddedDispatchTests
{
    private static readonly TimeSpan ShortDeadline = TimeSpan.FromMilliseconds(300);

    [TestMethod]
    public async Task An_event_sent_to_echo_comes_back_unchanged_with_the_version_and_instance_that_answered()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "2.0.0" }));
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);

        var reply = await supervisor.DispatchAsync("echo", new Event { Name = "customer.created", Payload = ByteString.CopyFrom(payload), ContentType = "application/octet-stream" }).AsTask().DefaultTimeout();

        CollectionAssert.AreEqual(payload, reply.Payload.ToByteArray());
        Assert.AreEqual("application/octet-stream", reply.ContentType);
        Assert.AreEqual("2.0.0", reply.PluginVersion);
        Assert.AreEqual("2.0.0", reply.Attributes["echo-version"]);
        StringAssert.StartsWith(reply.InstanceId, "echo-");
    }

    [TestMethod]
    [DataRow("hang", "")]
    [DataRow("block", "")]
    [DataRow("sleep", "10000")]
    public async Task The_caller_is_answered_DeadlineExceeded_at_its_deadline_whatever_the_handler_does(string eventName, string payload)
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0" }));
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(
            () => supervisor.DispatchAsync("chaos", Event(eventName, payload), DateTime.UtcNow + ShortDeadline).AsTask()).DefaultTimeout();
        stopwatch.Stop();

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error, error.Message);
        Assert.IsGreaterThanOrEqualTo(ShortDeadline - TimeSpan.FromMilliseconds(20), stopwatch.Elapsed, "answered before the deadline");
        // Generous for a loaded 2-core machine; the benchmark measures how close to the deadline it really is.
        Assert.IsLessThan(TimeSpan.FromMilliseconds(1000), stopwatch.Elapsed, "answered late");
        Assert.AreEqual(1ul, supervisor.GetPlugin("chaos").Counters.Timeouts);
    }

    [TestMethod]
    public async Task Without_a_deadline_the_plugins_configured_Deadline_applies()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0", Deadline = TimeSpan.FromMilliseconds(400) }));
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("sleep", "10000")).AsTask()).DefaultTimeout();

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(380), stopwatch.Elapsed);
        Assert.IsLessThan(TimeSpan.FromMilliseconds(1500), stopwatch.Elapsed);
    }

    [TestMethod]
    public async Task A_throwing_handler_is_HandlerFailed_with_the_exception_type_and_message()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0" }));

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("throw", "")).AsTask()).DefaultTimeout();

        Assert.AreEqual(DispatchError.HandlerFailed, error.Error);
        StringAssert.Contains(error.Message, "System.InvalidOperationException: chaos: thrown on request");
        StringAssert.Contains(error.Message, "plugin 'chaos' 1.0.0");
    }

    [TestMethod]
    public async Task Bad_requests_are_refused_with_a_reason()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));

        var unknown = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("nope", Event("x", "")).AsTask());
        var noPlugin = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("", Event("x", "")).AsTask());
        var noName = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("echo", new Event()).AsTask());

        Assert.AreEqual(DispatchError.NotFound, unknown.Error);
        StringAssert.Contains(unknown.Message, "configured: echo");
        Assert.AreEqual(DispatchError.InvalidArgument, noPlugin.Error);
        Assert.AreEqual(DispatchError.InvalidArgument, noName.Error);
    }

    [TestMethod]
    public async Task A_full_bulkhead_is_ResourceExhausted_at_once_and_a_queued_call_waits_its_turn()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0", MaxConcurrency = 1, QueueLimit = 1 }));
        var first = supervisor.DispatchAsync("chaos", Event("sleep", "1000")).AsTask();
        await Wait.UntilAsync(() => supervisor.GetPlugin("chaos").Instances[0].InFlight == 1, "the first call to hold the only slot");
        var queued = supervisor.DispatchAsync("chaos", Event("echo", "queued")).AsTask();
        await Wait.UntilAsync(() => supervisor.GetPlugin("chaos").Instances[0].InFlight == 2, "the second call to queue");
        var stopwatch = Stopwatch.StartNew();

        var rejected = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("echo", "rejected")).AsTask());
        var rejectedAfter = stopwatch.Elapsed;

        Assert.AreEqual(DispatchError.ResourceExhausted, rejected.Error);
        StringAssert.Contains(rejected.Message, "MaxConcurrency (1)");
        Assert.IsLessThan(TimeSpan.FromMilliseconds(500), rejectedAfter, "a full bulkhead must answer at once");
        Assert.IsFalse(first.IsCompleted, "the rejection must not wait for the slot");
        Assert.AreEqual("queued", (await queued.DefaultTimeout()).Payload.ToStringUtf8());
        await first.DefaultTimeout();
    }

    [TestMethod]
    public async Task A_payload_over_the_plugins_limit_is_ResourceExhausted_naming_size_limit_and_key_and_one_at_the_limit_is_served()
    {
        const int FourMiB = 4 * 1024 * 1024;
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));

        var over = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("echo", new Event { Name = "e", Payload = ByteString.CopyFrom(new byte[FourMiB + 1]) }).AsTask());
        var atLimit = await supervisor.DispatchAsync("echo", new Event { Name = "e", Payload = ByteString.CopyFrom(new byte[FourMiB]) }).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.ResourceExhausted, over.Error, over.Message);
        StringAssert.Contains(over.Message, $"{FourMiB + 1} bytes, over plugin 'echo's limit of {FourMiB} bytes (Supervisor:Plugins:echo:MaxPayloadBytes)");
        Assert.AreEqual(FourMiB, atLimit.Payload.Length, "the plugin's shim takes whatever the supervisor lets through");
        Assert.AreEqual(1UL, supervisor.GetPlugin("echo").Counters.Calls, "the refused payload never reached the plugin");
    }

    [TestMethod]
    public async Task KillInstance_sends_SIGKILL_and_a_new_process_serves()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));
        var before = supervisor.GetPlugin("echo").Instances.Single();

        var killed = supervisor.KillInstance("echo", before.Id);
        await Wait.UntilAsync(() => !Posix.IsAlive(before.Pid), "the killed process to be gone");
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.Any(i => i.State == InstanceState.Ready && i.Pid != before.Pid), "a replacement to be ready");
        var reply = await supervisor.DispatchAsync("echo", Event("x", "after")).AsTask().DefaultTimeout();

        CollectionAssert.AreEqual(new[] { before.Id }, killed.ToArray());
        Assert.AreNotEqual(before.Id, reply.InstanceId);
        Assert.AreEqual("after", reply.Payload.ToStringUtf8());
        var after = supervisor.GetPlugin("echo");
        Assert.AreEqual(1ul, after.Counters.Kills);
        Assert.AreEqual(1u, after.Instances.Single().Restarts);
    }

    [TestMethod]
    public async Task A_call_in_flight_when_its_process_dies_is_Aborted_at_once_and_a_new_process_serves()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0", Deadline = TimeSpan.FromSeconds(20) }));
        var crashed = supervisor.GetPlugin("chaos").Instances.Single();
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("crash", "")).AsTask()).DefaultTimeout();
        var abortedAfter = stopwatch.Elapsed;
        await Wait.UntilAsync(() => supervisor.GetPlugin("chaos").Instances.Any(i => i.State == InstanceState.Ready && i.Id != crashed.Id), "a replacement to be ready");
        var reply = await supervisor.DispatchAsync("chaos", Event("echo", "back")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.Aborted, error.Error, error.Message);
        Assert.IsLessThan(TimeSpan.FromSeconds(5), abortedAfter, "aborted at the crash, not at the 20 s deadline");
        Assert.AreEqual("back", reply.Payload.ToStringUtf8());
    }

    [TestMethod]
    public async Task A_caller_that_cancels_is_told_Cancelled()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0" }));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", Event("sleep", "5000"), cancellationToken: cancel.Token).AsTask()).DefaultTimeout();

        Assert.AreEqual(DispatchError.Cancelled, error.Error);
    }

    [TestMethod]
    public async Task Stopping_refuses_new_events_and_leaves_no_plugin_process()
    {
        using var dir = new TempDirectory();
        var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0", Instances = 2 }));
        var pids = supervisor.GetPlugin("echo").Instances.Select(i => i.Pid).ToArray();

        await supervisor.StopAsync().DefaultTimeout();
        var refused = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("echo", Event("x", "")).AsTask());
        await supervisor.DisposeAsync();

        Assert.AreEqual(DispatchError.Unavailable, refused.Error);
        Assert.HasCount(2, pids);
        foreach (var pid in pids)
        {
            Assert.IsFalse(Posix.IsAlive(pid), $"plugin process {pid} outlived the supervisor");
        }
    }

    private static Event Event(string name, string payload) => TestEvents.Create(name, payload);
}
