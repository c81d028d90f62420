using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Supervisor.PluginSdk.Hosting;
using Supervisor.Processes;

namespace Supervisor.Tests.Sdk;

/// <summary>The SDK's log lines, read back by the supervisor's parser (docs/protocol.md, section 2).</summary>
[TestClass]
public sealed class PluginLoggingTests
{
    [TestMethod]
    public void A_handler_log_line_reaches_the_supervisor_with_level_category_message_exception_and_the_calls_trace()
    {
        using var output = new MemoryStream();
        using var factory = PluginLogging.Create(output);
        using var activity = new Activity("handle").Start();
        var logger = factory.CreateLogger("Orders.Handler");

        logger.LogError(new InvalidOperationException("no stock"), "Order {OrderId} failed", 42);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines);
        Assert.IsTrue(PluginLogRecord.TryParse(Encoding.UTF8.GetBytes(lines[0]), out var record), lines[0]);
        Assert.AreEqual(LogLevel.Error, record.Level);
        Assert.AreEqual("Orders.Handler", record.Category);
        Assert.AreEqual("Order 42 failed", record.Message);
        Assert.StartsWith("System.InvalidOperationException: no stock", record.Exception);
        Assert.AreEqual(activity.TraceId.ToString(), record.TraceId);
        Assert.AreEqual(activity.SpanId.ToString(), record.SpanId);
    }

    [TestMethod]
    public void Framework_chatter_below_warning_is_left_out_and_the_plugins_information_is_kept()
    {
        using var output = new MemoryStream();
        using var factory = PluginLogging.Create(output);

        factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").LogInformation("listening");
        factory.CreateLogger("Grpc.AspNetCore.Server.ServerCallHandler").LogInformation("call");
        factory.CreateLogger("Orders.Handler").LogDebug("detail");
        factory.CreateLogger("Orders.Handler").LogInformation("kept");
        factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").LogWarning("also kept");

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines);
        Assert.Contains("\"Message\":\"kept\"", lines[0]);
        Assert.Contains("\"Message\":\"also kept\"", lines[1]);
    }
}
