using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>Every SDK: how a plugin process ends (Shutdown, SIGTERM, its supervisor gone).</summary>
[TestClass]
public sealed class LifecycleConformanceTests
{
    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task Shutdown_refuses_new_calls_lets_in_flight_ones_finish_keeps_answering_GetStatus_and_exits_0(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var inFlight = client.HandleEventAsync(ConformancePlugins.Request("sleep", "800")).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        var shutdown = await client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) }).ResponseAsync.DefaultTimeout();
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(ConformancePlugins.Request("echo", "late")).ResponseAsync.DefaultTimeout());
        var status = await client.GetStatusAsync(new GetStatusRequest()).ResponseAsync.DefaultTimeout();
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
        var finished = await inFlight.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(1u, shutdown.InFlight);
        Assert.AreEqual(StatusCode.Unavailable, refused.StatusCode);
        Assert.IsTrue(status.Draining, "GetStatus answers while draining, and says so");
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.AreEqual("slept 800 ms", finished.Payload.ToStringUtf8());
        Assert.AreEqual(0, plugin.Process.ExitCode);
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task Shutdown_with_a_zero_grace_exits_0_without_waiting_for_a_handler(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var inFlight = client.HandleEventAsync(ConformancePlugins.Request("sleep", "60000")).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        // On SIGTERM the supervisor sends exactly this: no grace (an unset grace means the same).
        var shutdown = await client.ShutdownAsync(new ShutdownRequest()).ResponseAsync.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.AreEqual(1u, shutdown.InFlight);
        Assert.AreEqual(0, plugin.Process.ExitCode);
        await Assert.ThrowsExactlyAsync<RpcException>(() => inFlight.DefaultTimeout());
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task SIGTERM_drains_the_plugin_its_in_flight_call_finishes_and_it_exits_0(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var inFlight = client.HandleEventAsync(ConformancePlugins.Request("sleep", "700")).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        Posix.Signal(plugin.Process.Id, Posix.SigTerm);
        var finished = await inFlight.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual("slept 700 ms", finished.Payload.ToStringUtf8());
        Assert.AreEqual(0, plugin.Process.ExitCode);
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_plugin_exits_0_within_a_second_of_its_stdin_reaching_end_of_file(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);

        var closed = Stopwatch.StartNew();
        plugin.Process.StandardInput.Close();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();
        var exitedAfter = closed.Elapsed;

        Assert.AreEqual(0, plugin.Process.ExitCode);
        Assert.IsLessThan(TimeSpan.FromSeconds(1), exitedAfter, $"exited {exitedAfter.TotalMilliseconds:0} ms after stdin closed");
    }
}
