using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Configuration;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Routing;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>Every SDK, behind a real supervisor: deadlines reach the handler, errors, settings and log lines.</summary>
[TestClass]
public sealed class CallConformanceTests
{
    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task The_deadlines_cancellation_reaches_the_handler(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, new PluginOptions { Version = ConformancePlugins.Version }));

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(name, Event("sleep", "20000"), DateTime.UtcNow.AddMilliseconds(300)).AsTask().DefaultTimeout());
        var answeredAfter = started.Elapsed;

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.IsLessThan(TimeSpan.FromSeconds(5), answeredAfter, "the caller is answered at its deadline, not when the handler ends");
        // The handler counts the cancellation it observed; it runs on after the caller was answered, so wait for it.
        await Wait.UntilAsync(
            async () => (await supervisor.DispatchAsync(name, Event("cancellations", ""))).Payload.ToStringUtf8() == "1",
            "the handler to observe the deadline's cancellation",
            TimeSpan.FromSeconds(10));
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_handler_that_throws_is_answered_UNKNOWN_with_the_error_type_and_message_and_the_process_serves_on(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, new PluginOptions { Version = ConformancePlugins.Version }));
        var instance = supervisor.GetPlugin(name).Instances.Single();

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync(name, Event("throw", "")).AsTask().DefaultTimeout());
        var reply = await supervisor.DispatchAsync(name, Event("echo", "still here")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.HandlerFailed, error.Error);
        StringAssert.Contains(error.Message, "ConformanceError: thrown on request");
        Assert.AreEqual("still here", reply.Payload.ToStringUtf8());
        Assert.AreEqual(instance.Id, reply.InstanceId, "a handler's exception must not cost the process");
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task The_plugins_Settings_reach_the_handler(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = ConformancePlugins.Version };
        options.Settings["greeting"] = "hello, \"world\"";
        options.Settings["count"] = "42";
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, (name, options));

        var reply = await supervisor.DispatchAsync(name, Event("settings", "")).AsTask().DefaultTimeout();

        Assert.AreEqual("application/json", reply.ContentType);
        var settings = JsonSerializer.Deserialize<Dictionary<string, string>>(reply.Payload.ToStringUtf8())!;
        CollectionAssert.AreEquivalent(options.Settings.ToList(), settings.ToList());
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_handlers_log_line_reaches_the_supervisors_log_with_the_plugin_scope_and_the_callers_trace_id(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { [name] = SupervisorConfig.Plugin(ConformancePlugins.Version) }));
        await using var supervisor = await SupervisorProcess.StartAsync(config, "json", environment: null, launcher: []);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        var reply = await events.DispatchAsync(
            new DispatchRequest { Plugin = name, Event = TestEvents.Create("log", marker) },
            new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } }).ResponseAsync.DefaultTimeout();
        var line = await supervisor.WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal) && !l.Contains("Dispatch", StringComparison.Ordinal));

        Assert.AreEqual("logged", reply.Payload.ToStringUtf8());
        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.AreEqual("Information", entry["LogLevel"]!.GetValue<string>(), line);
        StringAssert.Contains(entry["Message"]!.GetValue<string>(), marker);
        var scopes = entry["Scopes"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.IsTrue(scopes.Any(s => s["plugin"]?.GetValue<string>() == name && s["version"]?.GetValue<string>() == ConformancePlugins.Version && s["instance"] is not null), line);
        Assert.IsTrue(scopes.Any(s => s["TraceId"]?.GetValue<string>() == traceId), $"the plugin's line should carry trace id {traceId}: {line}");
    }

    private static Event Event(string name, string payload) => TestEvents.Create(name, payload);
}
