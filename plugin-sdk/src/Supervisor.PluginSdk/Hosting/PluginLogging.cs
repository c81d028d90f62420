using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Supervisor.PluginSdk.Hosting;

/// <summary>
/// The plugin's logging: one JSON object per line on stderr (stdout carries the ready line), with the current trace
/// and span ids. The supervisor reads each object back into its own log at the same level, adding plugin, version
/// and instance, so a handler's line carries the trace id of the call that caused it.
/// </summary>
internal static class PluginLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(logging =>
    {
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Grpc", LogLevel.Warning);
    });
}
