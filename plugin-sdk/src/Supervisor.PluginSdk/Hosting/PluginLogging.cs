using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Supervisor.PluginSdk.Hosting;

/// <summary>
/// The plugin's logging: one JSON object per line on stderr (stdout carries the ready line), with the current trace
/// and span ids. The supervisor reads each object back into its own log at the same level, adding plugin, version
/// and instance, so a handler's line carries the trace id of the call that caused it.
/// </summary>
internal static class PluginLogging
{
    public static ILoggerFactory Create() => Create(Console.OpenStandardError());

    // Built by hand, not through LoggerFactory.Create: that one builds a service container just for logging.
    internal static ILoggerFactory Create(Stream output)
    {
        var filter = new LoggerFilterOptions { MinLevel = LogLevel.Information };
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", LogLevel.Warning, null));
        filter.Rules.Add(new LoggerFilterRule(null, "Grpc", LogLevel.Warning, null));
        var options = new LoggerFactoryOptions { ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId };
        var provider = new JsonLineLoggerProvider(output, TimeProvider.System);
        return new LoggerFactory([provider], new FixedFilter(filter), Options.Create(options));
    }

    // The rules never change while the plugin runs: there is no configuration to reload them from.
    private sealed class FixedFilter(LoggerFilterOptions value) : IOptionsMonitor<LoggerFilterOptions>
    {
        public LoggerFilterOptions CurrentValue => value;

        public LoggerFilterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<LoggerFilterOptions, string?> listener) => null;
    }
}
