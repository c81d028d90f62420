using System.Text;
using Microsoft.Extensions.Logging;

namespace Supervisor.Processes;

/// <summary>
/// Turns a plugin's stdout and stderr lines into the supervisor's structured log, tagged with plugin, version,
/// instance and pid. Lines in .NET's JSON console format (the SDK writes those) keep their level, category and trace
/// id; plain lines that carry a .NET console level prefix (<c>warn:</c>, <c>fail:</c>) keep their level; anything
/// else, malformed JSON included, is logged as the raw text. Lines beyond the instance's rate are dropped and
/// counted, and <see cref="ReportDropped"/> says how many.
/// </summary>
internal sealed partial class PluginOutputLogger
{
    private readonly ILogger _logger;
    private readonly LineRateLimit _rate;
    private PluginLogScope _scope;

    public PluginOutputLogger(ILogger logger, PluginLogScope scope, LineRateLimit rate)
    {
        _logger = logger;
        _scope = scope;
        _rate = rate;
    }

    /// <summary>Gets or sets the scope; replaced once the pid is known.</summary>
    public PluginLogScope Scope
    {
        get => Volatile.Read(ref _scope);
        set => Volatile.Write(ref _scope, value);
    }

    public void Stdout(ReadOnlySpan<byte> line, long droppedBytes) => Write(line, droppedBytes, "stdout", LogLevel.Information);

    public void Stderr(ReadOnlySpan<byte> line, long droppedBytes) => Write(line, droppedBytes, "stderr", LogLevel.Warning);

    /// <summary>Logs how many lines the rate limit dropped since the last report, if any.</summary>
    public void ReportDropped()
    {
        var (dropped, total) = _rate.TakeDropped();
        if (dropped == 0)
        {
            return;
        }

        using (_logger.BeginScope(Scope))
        {
            LogLinesDropped(_logger, dropped, _rate.LinesPerSecond, _rate.Burst, total);
        }
    }

    /// <summary>The line's text as logged: invalid UTF-8 becomes U+FFFD, and a truncated line says what it lost.</summary>
    public static string Decode(ReadOnlySpan<byte> line, long droppedBytes) => droppedBytes == 0
        ? Encoding.UTF8.GetString(line)
        : $"{Encoding.UTF8.GetString(line)} … [line truncated: {droppedBytes} more bytes dropped]";

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

    private void Write(ReadOnlySpan<byte> line, long droppedBytes, string stream, LogLevel fallback)
    {
        if (!_rate.TryTake())
        {
            return;
        }

        // A truncated line is never whole JSON; it is logged as text with its marker.
        if (droppedBytes == 0 && PluginLogRecord.TryParse(line, out var record))
        {
            WriteRecord(record);
            return;
        }

        var text = Decode(line, droppedBytes);
        var level = LevelOf(text, fallback);
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        using (_logger.BeginScope(Scope))
        {
            LogLine(_logger, level, stream, text);
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

    [LoggerMessage(Message = "[{Category}] {Message}")]
    private static partial void LogRecord(ILogger logger, LogLevel level, string category, string message);

    [LoggerMessage(Message = "[{Category}] {Message}\n{PluginException}")]
    private static partial void LogRecordWithException(ILogger logger, LogLevel level, string category, string message, string pluginException);

    [LoggerMessage(Message = "[{Stream}] {Line}")]
    private static partial void LogLine(ILogger logger, LogLevel level, string stream, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {DroppedLines} output lines over the rate limit ({LinesPerSecond} lines/s, burst {LineBurst}); {DroppedLinesTotal} dropped since the process started")]
    private static partial void LogLinesDropped(ILogger logger, long droppedLines, int linesPerSecond, int lineBurst, long droppedLinesTotal);
}
