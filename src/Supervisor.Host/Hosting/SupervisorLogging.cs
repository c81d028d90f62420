using Microsoft.Extensions.Logging.Console;

namespace Supervisor.Host.Hosting;

/// <summary>The supervisor's log: its own lines and its plugins', each with plugin, version and instance fields.</summary>
internal static class SupervisorLogging
{
    public static ILoggerFactory Create(LogFormat format) => LoggerFactory.Create(logging =>
    {
        if (format == LogFormat.Json || (format == LogFormat.Auto && Console.IsOutputRedirected))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        }

        // A line logged while a call is in progress carries the caller's trace id.
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // The host logs a failed start with its stack trace; SupervisorHost reports it in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddFilter("Grpc", LogLevel.Warning);
        logging.AddFilter("OpenTelemetry", LogLevel.Warning);
    });
}
