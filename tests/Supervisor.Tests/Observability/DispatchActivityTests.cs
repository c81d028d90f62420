using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Observability;

/// <summary>An embedder's activity around <c>DispatchAsync</c>: the dispatch activity is its child, and the plugin's log line shares its trace.</summary>
[TestClass]
public sealed class DispatchActivityTests
{
    [TestMethod]
    public async Task The_dispatch_activity_is_a_child_of_the_callers_and_the_plugins_log_line_carries_its_trace_id()
    {
        var dispatches = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SupervisorTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = dispatches.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var log = new CapturedLog();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Information));
        using var dir = new TempDirectory();
        await using var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("chaos", new PluginOptions { Version = "1.0.0" })), loggerFactory);
        await supervisor.StartAsync().DefaultTimeout();
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        var reply = await supervisor.DispatchAsync("chaos", TestEvents.Create("log", marker)).AsTask().DefaultTimeout();
        caller.Stop();
        CapturedLog.Entry? line = null;
        await Wait.UntilAsync(() => (line = log.Entries.FirstOrDefault(e => e.Message.Contains(marker, StringComparison.Ordinal))) is not null, "the plugin's log line");

        var dispatch = dispatches.Single(a => a.TraceId == caller.TraceId);
        Assert.AreEqual("dispatch", dispatch.OperationName);
        Assert.AreEqual(ActivityKind.Client, dispatch.Kind);
        Assert.AreEqual(caller.SpanId, dispatch.ParentSpanId);
        Assert.AreEqual("chaos", dispatch.GetTagItem("plugin.name"));
        Assert.AreEqual("1.0.0", dispatch.GetTagItem("plugin.version"));
        Assert.AreEqual(reply.InstanceId, dispatch.GetTagItem("plugin.instance.id"));
        Assert.AreEqual("ok", dispatch.GetTagItem("dispatch.outcome"));
        Assert.AreEqual(LogLevel.Information, line!.Level);
        Assert.AreEqual(caller.TraceId.ToHexString(), line.Fields["TraceId"]);
        Assert.AreEqual("chaos", line.Fields["plugin"]);
        Assert.AreEqual(reply.InstanceId, line.Fields["instance"]);
    }
}
