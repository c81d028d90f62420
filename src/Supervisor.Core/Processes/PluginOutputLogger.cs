using Microsoft.Extensions.Logging;

namespace Supervisor.Processes;

/// <summary>
/// Turns a plugin's stdout and stderr lines into the supervisor's structured log, tagged with plugin, version,
/// instance and pid. Lines that carry a .NET console level prefix (<c>warn:</c>, <c>fail:</c>) keep their level.
/// </summary>
internal sealed partial class PluginOutputLogger
{
    private readonly ILogger _logger;
    private PluginLogScope _scope;

    public PluginOutputLogger(ILogger logger, PluginLogScope scope)
    {
        _logger = logger;
        _scope = scope;
    }

    /// <summary>Gets or sets the scope; replaced once the pid is known.</summary>
    public PluginLogScope Scope
    {
        get => Volatile.Read(ref _scope);
        set => Volatile.Write(ref _scope, value);
    }

    public void Stdout(string line) => Write(LevelOf(line, LogLevel.Information), "stdout", line);

    public void Stderr(string line) => Write(LevelOf(line, LogLevel.Warning), "stderr", line);

    private void Write(LogLevel level, string stream, string line)
    {
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        using (_logger.BeginScope(Scope))
        {
            LogLine(_logger, level, stream, line);
        }
    }

    private static LogLevel LevelOf(string line, LogLevel fallback) =>
        line.Length < 5 || line[4] != ':' ? fallback : line.AsSpan(0, 4) switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => fallback,
        };

    [LoggerMessage(Message = "[{Stream}] {Line}")]
    private static partial void LogLine(ILogger logger, LogLevel level, string stream, string line);
}
