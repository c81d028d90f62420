using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>Payload limits through the events API: the listener's, then each plugin's.</summary>
[TestClass]
public sealed class PayloadLimitTests
{
    private const int MiB = 1024 * 1024;

    [TestMethod]
    public async Task Each_plugins_limit_and_the_listeners_decide_what_a_payload_may_weigh()
    {
        using var dir = new TempDirectory();
        var echo = SupervisorConfig.Plugin("1.0.0");
        echo["MaxPayloadBytes"] = 8 * MiB;
        var json = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = echo, ["chaos"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["Events"]!["MaxMessageBytes"] = 8 * MiB + 4096;
        await using var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(dir, json));
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress, maxMessageBytes: 64 * MiB);
        var events = new EventService.EventServiceClient(channel);
        var fiveMiB = ByteString.CopyFrom(new byte[5 * MiB]);

        var echoed = await events.DispatchAsync(Dispatch("echo", fiveMiB)).ResponseAsync.DefaultTimeout();
        var overPlugin = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("chaos", fiveMiB)).ResponseAsync);
        var overListener = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("echo", ByteString.CopyFrom(new byte[9 * MiB]))).ResponseAsync);

        Assert.AreEqual(5 * MiB, echoed.Payload.Length, "8 MiB allowed by the listener and the plugin: the shim takes it too");
        Assert.AreEqual(StatusCode.ResourceExhausted, overPlugin.StatusCode);
        StringAssert.Contains(overPlugin.Status.Detail, $"{5 * MiB} bytes, over plugin 'chaos's limit of {4 * MiB} bytes (Supervisor:Plugins:chaos:MaxPayloadBytes)");
        Assert.AreEqual(StatusCode.ResourceExhausted, overListener.StatusCode, "the listener's Events:MaxMessageBytes refuses it first");
    }

    private static DispatchRequest Dispatch(string plugin, ByteString payload) =>
        new() { Plugin = plugin, Event = new Event { Name = "echo", Payload = payload } };
}
