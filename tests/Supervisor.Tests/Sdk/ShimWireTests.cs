using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Supervisor.Tests.Sdk;

/// <summary>
/// The shim's own gRPC over HTTP/2 (no grpc-dotnet server) against grpc-dotnet's client, in a real plugin process:
/// the echo on the JIT and the echo published with Native AOT, which hand the shim to Kestrel differently
/// (<c>Shim/KestrelApplication.cs</c>).
/// </summary>
[TestClass]
public sealed class ShimWireTests
{
    // Raw bytes both ways, so a test can send what no generated client would.
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    [TestMethod]
    [DataRow("echo")]
    [DataRow(ManualPlugin.NativeEcho)]
    public async Task A_one_MiB_payload_spanning_many_HTTP2_frames_is_echoed_whole(string echo)
    {
        await using var plugin = await ManualPlugin.StartAsync(echo, "1.0.0", executable: "echo");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var payload = new byte[1024 * 1024];
        new Random(15).NextBytes(payload);
        var request = new HandleEventRequest { Event = new Event { Id = "big", Name = "echo", Payload = ByteString.CopyFrom(payload), ContentType = "application/octet-stream" } };

        var reply = await client.HandleEventAsync(request).ResponseAsync.DefaultTimeout();

        Assert.AreEqual("application/octet-stream", reply.ContentType);
        CollectionAssert.AreEqual(payload, reply.Payload.ToByteArray());
    }

    [TestMethod]
    [DataRow("echo", "supervisor.plugin.v1.PluginService", "Nope", "Method is unimplemented.")]
    [DataRow("echo", "grpc.health.v1.Health", "List", "Method is unimplemented.")]
    [DataRow("echo", "no.such.Service", "Call", "Service is unimplemented.")]
    [DataRow(ManualPlugin.NativeEcho, "supervisor.plugin.v1.PluginService", "Nope", "Method is unimplemented.")]
    [DataRow(ManualPlugin.NativeEcho, "no.such.Service", "Call", "Service is unimplemented.")]
    public async Task A_method_the_shim_does_not_serve_is_UNIMPLEMENTED(string echo, string service, string method, string detail)
    {
        await using var plugin = await ManualPlugin.StartAsync(echo, "1.0.0", executable: "echo");
        using var channel = plugin.Channel(plugin.Token);

        var error = await Assert.ThrowsExactlyAsync<RpcException>(() => RawCall(channel.CreateCallInvoker(), service, method, []).DefaultTimeout());

        Assert.AreEqual(StatusCode.Unimplemented, error.StatusCode);
        Assert.AreEqual(detail, error.Status.Detail);
    }

    [TestMethod]
    [DataRow("echo")]
    [DataRow(ManualPlugin.NativeEcho)]
    public async Task The_token_is_checked_before_the_message_is_read_and_a_malformed_message_with_it_is_INTERNAL(string echo)
    {
        await using var plugin = await ManualPlugin.StartAsync(echo, "1.0.0", executable: "echo");
        byte[] garbage = [0x0A, 0xFF, 0xFF, 0xFF];

        using var anonymous = plugin.Channel(null);
        using var wrong = plugin.Channel("wrong");
        using var authorized = plugin.Channel(plugin.Token);
        var missing = await Assert.ThrowsExactlyAsync<RpcException>(() => RawCall(anonymous.CreateCallInvoker(), "supervisor.plugin.v1.PluginService", "HandleEvent", garbage).DefaultTimeout());
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => RawCall(wrong.CreateCallInvoker(), "supervisor.plugin.v1.PluginService", "HandleEvent", garbage).DefaultTimeout());
        var malformed = await Assert.ThrowsExactlyAsync<RpcException>(() => RawCall(authorized.CreateCallInvoker(), "supervisor.plugin.v1.PluginService", "HandleEvent", garbage).DefaultTimeout());

        Assert.AreEqual(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.AreEqual($"plugin '{echo}' (it only answers its supervisor) requires 'authorization: Bearer <token>'", missing.Status.Detail);
        Assert.AreEqual(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.AreEqual($"plugin '{echo}' (it only answers its supervisor) refused the token: it is not valid", refused.Status.Detail);
        Assert.AreEqual(StatusCode.Internal, malformed.StatusCode);
        StringAssert.StartsWith(malformed.Status.Detail, "the request is not a valid HandleEventRequest");
    }

    [TestMethod]
    public async Task A_health_watch_sees_SERVING_then_NOT_SERVING_when_the_plugin_drains_and_ends_when_it_exits()
    {
        await using var plugin = await ManualPlugin.StartAsync("chaos", "1.0.0");
        var client = plugin.Client(out var channel);
        using var _ = channel;
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest());
        Assert.IsTrue(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        Assert.AreEqual(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        var inFlight = client.HandleEventAsync(new HandleEventRequest { Event = new Event { Id = "1", Name = "sleep", Payload = ByteString.CopyFromUtf8("500") } }).ResponseAsync;
        await Wait.UntilAsync(async () => (await client.GetStatusAsync(new GetStatusRequest())).InFlight == 1, "the sleep call to be in flight");

        await client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) }).ResponseAsync.DefaultTimeout();

        Assert.IsTrue(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), "a second status");
        Assert.AreEqual(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.IsFalse(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), "the stream ends when the plugin exits");
        Assert.AreEqual(StatusCode.OK, watch.GetStatus().StatusCode);
        Assert.AreEqual("slept 500 ms", (await inFlight.DefaultTimeout()).Payload.ToStringUtf8());
        await plugin.Process.WaitForExitAsync().DefaultTimeout();
        Assert.AreEqual(0, plugin.Process.ExitCode);
    }

    [TestMethod]
    public async Task A_health_watch_of_another_service_is_SERVICE_UNKNOWN_and_a_check_of_it_NOT_FOUND()
    {
        await using var plugin = await ManualPlugin.StartAsync("echo", "1.0.0");
        using var channel = plugin.Channel(plugin.Token);
        var health = new Health.HealthClient(channel);
        using var watching = new CancellationTokenSource();
        using var watch = health.Watch(new HealthCheckRequest { Service = "other" }, cancellationToken: watching.Token);

        Assert.IsTrue(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        var check = await Assert.ThrowsExactlyAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "other" }).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(ServingStatus.ServiceUnknown, watch.ResponseStream.Current.Status);
        Assert.AreEqual(StatusCode.NotFound, check.StatusCode);
    }

    private static async Task RawCall(CallInvoker invoker, string service, string method, byte[] request)
    {
        var rawMethod = new Method<byte[], byte[]>(MethodType.Unary, service, method, Bytes, Bytes);
        await invoker.AsyncUnaryCall(rawMethod, null, new CallOptions(), request).ResponseAsync;
    }
}
