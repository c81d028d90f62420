using Microsoft.Extensions.Logging;

namespace Supervisor.Processes;

/// <summary>
/// Turns a plugin's stdout and stderr lines into the supervisor's structured log, tagged with plugin, version,
/// instance and pid. Lines in .NET's JSON console format (the SDK writes those) keep their level, category and trace
/// id; plain lines that carry a .NET console level prefix (<c>warn:</c>, <c>fail:</c>) keep their level.
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
        if (PluginLogRecord.TryParse(line, out var record))
        {
            WriteRecord(record);
            return;
        }

        if (!_logger.IsEnabled(level))
        {
            return;
        }

        using (_logger.BeginScope(Scope))
        {
            LogLine(_logger, level, stream, line);
        }
    }

    private void WriteRecord(PluginLogRecord record)
    {
        if (!_logger.IsEnabled(record.Level))
        {
            return;
        }

        using var scope = _logger.BeginScope(Scope);
        using var trace = record.TraceId is null ? null : _logger.BeginScope(new PluginTraceScope(record.TraceId, record.SpanId));
        if (record.Exception is null)
        {
            LogRecord(_logger, record.Level, record.Category, record.Message);
        }
        else
        {
            LogRecordWithException(_logger, record.Level, record.Category, record.Message, record.Exception);
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

    [LoggerMessage(Message = "[{Category}] {Message}")]
    private static partial void LogRecord(ILogger logger, LogLevel level, string category, string message);

    [LoggerMessage(Message = "[{Category}] {Message}\n{PluginException}")]
    private static partial void LogRecordWithException(ILogger logger, LogLevel level, string category, string message, string pluginException);

    [LoggerMessage(Message = "[{Stream}] {Line}")]
    private static partial void LogLine(ILogger logger, LogLevel level, string stream, string line);
}
