using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>The SDK shim in a real plugin process, started by the test with the handshake environment.</summary>
[TestClass]
public sealed class PluginShimTests
{
    [TestMethod]
    public async Task A_plugin_started_by_hand_says_how_it_is_meant_to_be_run_and_exits_non_zero()
    {
        Repository.RequireArtifacts();
        var start = new ProcessStartInfo(Repository.PluginExecutable("echo", "1.0.0")) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync().DefaultTimeout();
        await process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(2, process.ExitCode);
        StringAssert.Contains(stderr, "is a Plugin Supervisor plugin");
        StringAssert.Contains(stderr, "supervisor run --config");
    }

    [TestMethod]
    public async Task Calls_without_the_plugin_token_are_refused()
    {
        await using var plugin = await ManualPlugin.StartAsync("echo", "1.0.0");
        var request = Request("hello", "hi");

        foreach (var token in new[] { null, "wrong" })
        {
            using var channel = plugin.Channel(token);
            var error = await Assert.ThrowsExactlyAsync<RpcException>(() => new PluginService.PluginServiceClient(channel).HandleEventAsync(request).ResponseAsync);
            Assert.AreEqual(StatusCode.Unauthenticated, error.StatusCode, $"token {token ?? "(none)"}");
        }

        var client = plugin.Client(out var authorized);
        using (authorized)
        {
            var reply = await client.HandleEventAsync(request).ResponseAsync.DefaultTimeout();
            Assert.AreEqual("hi", reply.Payload.ToStringUtf8());
        }
    }

    [TestMethod]
    public async Task A_handler_exception_is_answered_UNKNOWN_with_type_and_message_and_the_process_lives_on()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;

        var error = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(Request("throw", "")).ResponseAsync);
        var reply = await client.HandleEventAsync(Request("echo", "still here")).ResponseAsync.DefaultTimeout();

        Assert.AreEqual(StatusCode.Unknown, error.StatusCode);
        Assert.AreEqual("System.InvalidOperationException: chaos: thrown on request", error.Status.Detail);
        Assert.AreEqual("still here", reply.Payload.ToStringUtf8());
        Assert.IsFalse(plugin.Process.HasExited);
    }

    [TestMethod]
    public async Task The_handlers_token_is_cancelled_at_the_deadline_and_a_handler_that_ignores_it_is_reported_overdue()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;

        // sleep honours its token: it ends at the deadline and leaves nothing running.
        var sleep = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(Request("sleep", "10000"), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        Assert.AreEqual(StatusCode.DeadlineExceeded, sleep.StatusCode);
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 0, "the cancelled sleep handler to return");

        // hang ignores its token: the caller is answered anyway, and the status shows the handler past its deadline.
        var hang = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(Request("hang", ""), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        Assert.AreEqual(StatusCode.DeadlineExceeded, hang.StatusCode);
        var status = await client.GetStatusAsync(new GetStatusRequest()).ResponseAsync.DefaultTimeout();
        Assert.AreEqual(1u, status.InFlight);
        Assert.AreEqual(1u, status.PastDeadline);
        Assert.IsGreaterThan(TimeSpan.Zero, status.MaxOverdue.ToTimeSpan());
    }

    [TestMethod]
    public async Task Handlers_that_block_their_threads_do_not_starve_the_others_or_the_status_calls()
    {
        // More than the thread pool starts with (one per core), within the shim's floor for blocking handlers (32).
        const int Blocked = 24;
        if (Environment.ProcessorCount >= Blocked)
        {
            Assert.Inconclusive($"the thread pool starts with {Environment.ProcessorCount} threads here, so {Blocked} blocked handlers would not need the shim's floor");
        }

        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        using var abandon = new CancellationTokenSource();
        var calls = Enumerable.Range(0, Blocked)
            .Select(_ => client.HandleEventAsync(Request("block", ""), cancellationToken: abandon.Token).ResponseAsync)
            .ToList();

        // Without the floor the pool adds about two threads a second once its own are blocked, so the last of these
        // handlers would start about ten seconds later, and the supervisor's liveness checks (1 s) would fail before.
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == Blocked, $"all {Blocked} block handlers to be running", TimeSpan.FromSeconds(4));
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1));

        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        await abandon.CancelAsync();
        foreach (var call in calls)
        {
            Assert.AreEqual(StatusCode.Cancelled, (await Assert.ThrowsExactlyAsync<RpcException>(() => call)).StatusCode);
        }
    }

    [TestMethod]
    public async Task The_plugin_exits_when_its_stdin_reaches_end_of_file()
    {
        await using var plugin = await ManualPlugin.StartAsync("echo", "1.0.0");

        plugin.Process.StandardInput.Close();

        await plugin.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.AreEqual(0, plugin.Process.ExitCode);
    }

    [TestMethod]
    public async Task Shutdown_refuses_new_calls_finishes_in_flight_ones_and_exits_0()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var inFlight = client.HandleEventAsync(Request("sleep", "700")).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        var shutdown = await client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) }).ResponseAsync.DefaultTimeout();
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(Request("echo", "late")).ResponseAsync);
        var finished = await inFlight.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(1u, shutdown.InFlight);
        Assert.AreEqual(StatusCode.Unavailable, refused.StatusCode);
        Assert.AreEqual("slept 700 ms", finished.Payload.ToStringUtf8());
        Assert.AreEqual(0, plugin.Process.ExitCode);
    }

    [TestMethod]
    public async Task SIGTERM_drains_the_plugin_in_flight_calls_finish_and_it_exits_0()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var inFlight = client.HandleEventAsync(Request("sleep", "700")).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        Posix.Signal(plugin.Process.Id, Posix.SigTerm);
        var finished = await inFlight.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual("slept 700 ms", finished.Payload.ToStringUtf8());
        Assert.AreEqual(0, plugin.Process.ExitCode);
        StringAssert.Contains(plugin.Stderr, "Draining (SIGTERM)");
    }

    [TestMethod]
    public async Task Describe_and_grpc_health_answer()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;

        var description = await client.DescribeAsync(new DescribeRequest()).ResponseAsync.DefaultTimeout();
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();

        Assert.AreEqual("chaos", description.Name);
        Assert.AreEqual("1.0.0", description.Version);
        Assert.AreEqual("dotnet", description.Sdk);
        CollectionAssert.Contains(description.EventNames.ToList(), "hang");
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static HandleEventRequest Request(string name, string payload) =>
        new() { Event = WithId(TestEvents.Create(name, payload)) };

    // The shim is called directly here, so nothing fills in an id as the supervisor would.
    private static Event WithId(Event pluginEvent)
    {
        pluginEvent.Id = Guid.NewGuid().ToString("N");
        return pluginEvent;
    }
}
