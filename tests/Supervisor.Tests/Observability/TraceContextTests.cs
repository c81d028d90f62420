using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Observability;

/// <summary>The caller's trace context through the supervisor into the plugin, and the JSON log that shows it.</summary>
[TestClass]
public sealed class TraceContextTests
{
    [TestMethod]
    public async Task A_plugins_log_line_carries_the_callers_trace_id_and_the_plugin_fields_in_one_JSON_object_per_line()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config, "json", environment: null, launcher: []);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        var reply = await events.DispatchAsync(
            new DispatchRequest { Plugin = "chaos", Event = TestEvents.Create("log", marker) },
            new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } }).ResponseAsync.DefaultTimeout();
        var line = await supervisor.WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal) && !l.Contains("Dispatch", StringComparison.Ordinal));

        Assert.AreEqual("logged", reply.Payload.ToStringUtf8());
        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.AreEqual("Information", entry["LogLevel"]!.GetValue<string>());
        StringAssert.Contains(entry["Message"]!.GetValue<string>(), "chaos: " + marker);
        var scopes = entry["Scopes"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.IsTrue(scopes.Any(s => s["plugin"]?.GetValue<string>() == "chaos" && s["version"]?.GetValue<string>() == "1.0.0" && s["instance"] is not null), line);
        Assert.IsTrue(scopes.Any(s => s["TraceId"]?.GetValue<string>() == traceId), $"the plugin's line should carry trace id {traceId}: {line}");
        foreach (var output in supervisor.Output.Split(Environment.NewLine))
        {
            using var parsed = JsonDocument.Parse(output);
            Assert.AreEqual(JsonValueKind.Object, parsed.RootElement.ValueKind, output);
        }
    }

    [TestMethod]
    public async Task With_an_OTLP_endpoint_set_metrics_and_the_dispatch_span_are_pushed_to_the_collector()
    {
        using var collector = new OtlpReceiver();
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_SERVICE_NAME"] = "supervisor-under-test",
        };
        await using var supervisor = await SupervisorProcess.StartAsync(config, environment);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        var traceId = ActivityTraceId.CreateRandom();

        await events.DispatchAsync(
            new DispatchRequest { Plugin = "echo", Event = TestEvents.Create("x", "hi") },
            new Metadata { { "traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } }).ResponseAsync.DefaultTimeout();

        var traceIdBytes = Convert.FromHexString(traceId.ToHexString());
        await Wait.UntilAsync(() => collector.Received("/v1/metrics", "supervisor.dispatches"), "the dispatch counter at the collector");
        await Wait.UntilAsync(() => collector.Received("/v1/traces", "dispatch") && collector.Received("/v1/traces", "supervisor-under-test"), "the dispatch span at the collector");
        Assert.IsTrue(collector.ReceivedBytes("/v1/traces", traceIdBytes), "the span belongs to the caller's trace");
    }
}
