using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>
/// Dispatch is served straight off Kestrel, ahead of grpc-dotnet (DirectDispatchMiddleware); what that path does not
/// take still gets grpc-dotnet's answer.
/// </summary>
[TestClass]
public sealed class EventsWireTests
{
    [TestMethod]
    public async Task A_gzip_compressed_dispatch_is_answered_like_a_plain_one()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        var payload = new string('z', 64 * 1024);

        // grpc-dotnet's client compresses a request whose call carries this header; the direct path leaves it to
        // grpc-dotnet's server, which would otherwise refuse the encoding as UNIMPLEMENTED.
        var compressed = await events.DispatchAsync(
            new DispatchRequest { Plugin = "echo", Event = TestEvents.Create("echo", payload) },
            new Metadata { { "grpc-internal-encoding-request", "gzip" } }).ResponseAsync.DefaultTimeout();
        var plain = await events.DispatchAsync(new DispatchRequest { Plugin = "echo", Event = TestEvents.Create("echo", payload) }).ResponseAsync.DefaultTimeout();

        Assert.AreEqual(payload, compressed.Payload.ToStringUtf8());
        Assert.AreEqual(plain.Payload, compressed.Payload);
        Assert.AreEqual("1.0.0", compressed.PluginVersion);
        Assert.AreEqual(plain.InstanceId, compressed.InstanceId);
    }

    [TestMethod]
    public async Task A_call_with_no_deadline_gets_the_plugins_configured_one()
    {
        using var dir = new TempDirectory();
        var chaos = SupervisorConfig.Plugin("1.0.0");
        chaos["Deadline"] = "00:00:00.300";
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = chaos }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);

        var hung = await Assert.ThrowsExactlyAsync<RpcException>(
            () => events.DispatchAsync(new DispatchRequest { Plugin = "chaos", Event = TestEvents.Create("hang", "") }).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(StatusCode.DeadlineExceeded, hung.StatusCode, hung.Status.Detail);
    }
}
