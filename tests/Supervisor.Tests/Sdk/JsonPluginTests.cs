using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Supervisor.Configuration;
using Supervisor.PluginSdk;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>The typed JSON handler form: <c>TState HandleEvent(string eventName, TState instance)</c>.</summary>
[TestClass]
public sealed class JsonPluginTests
{
    [TestMethod]
    public async Task A_typed_JSON_plugin_receives_its_state_and_its_reply_is_the_new_state()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("orders", new PluginOptions { Version = "1.0.0" }));
        var order = """{"id":"o-1","quantity":3,"unitPrice":2.5}""";

        var reply = await supervisor.DispatchAsync("orders", new Event { Name = "order.placed", Payload = ByteString.CopyFromUtf8(order), ContentType = "application/json" }).AsTask().DefaultTimeout();

        using var json = JsonDocument.Parse(reply.Payload.Memory);
        Assert.AreEqual("application/json", reply.ContentType);
        Assert.AreEqual("accepted", json.RootElement.GetProperty("status").GetString());
        Assert.AreEqual(7.5m, json.RootElement.GetProperty("total").GetDecimal());
    }

    [TestMethod]
    public async Task Malformed_JSON_is_a_handler_failure_naming_the_problem()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("orders", new PluginOptions { Version = "1.0.0" }));

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(
            () => supervisor.DispatchAsync("orders", new Event { Name = "order.placed", Payload = ByteString.CopyFromUtf8("{not json") }).AsTask()).DefaultTimeout();

        Assert.AreEqual(DispatchError.HandlerFailed, error.Error);
        StringAssert.Contains(error.Message, "JsonException");
    }

    [TestMethod]
    public void The_reflection_based_form_round_trips_without_a_type_info()
    {
        var plugin = new Doubler();
        var payload = Encoding.UTF8.GetBytes("""{"value":21}""");

        var reply = plugin.HandleEvent(new PluginEvent("1", "double", payload, "application/json", new Dictionary<string, string>(), DateTime.MaxValue), CancellationToken.None);

        Assert.AreEqual("""{"value":42}""", Encoding.UTF8.GetString(reply.Payload.Span));
    }

    private sealed record Number(int Value);

    private sealed class Doubler : JsonPlugin<Number>
    {
        public override Number HandleEvent(string eventName, Number instance) => instance with { Value = instance.Value * 2 };
    }
}
