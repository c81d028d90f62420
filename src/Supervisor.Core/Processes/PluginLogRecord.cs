using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Supervisor.Processes;

/// <summary>
/// One line a plugin wrote in .NET's JSON console format (the SDK's), read back so the supervisor can log it at
/// its own level with its category, message, exception and the trace of the call it belongs to.
/// </summary>
/// <remarks>
/// Plugins in any language write these (docs/protocol.md), so the parser trusts nothing: a line is a record only
/// when it is one JSON object whose <c>LogLevel</c> is a level name or number 0-5, whose <c>Message</c> is a string,
/// and whose <c>Category</c> and <c>Exception</c>, when present, are strings or null. Anything else (a level of
/// <c>"7"</c>, an object, a missing message, invalid UTF-8, nesting past the reader's depth limit, trailing text)
/// is not a record, and the caller logs the raw line instead. It never throws.
/// </remarks>
internal readonly record struct PluginLogRecord(LogLevel Level, string Category, string Message, string? Exception, string? TraceId, string? SpanId)
{
    // Matched ignoring case, and never as Enum.TryParse would: it takes "7" and "Warning, Error" too.
    private static readonly (string Name, LogLevel Level)[] LevelNames =
    [
        ("Trace", LogLevel.Trace),
        ("Debug", LogLevel.Debug),
        ("Information", LogLevel.Information),
        ("Warning", LogLevel.Warning),
        ("Error", LogLevel.Error),
        ("Critical", LogLevel.Critical),
    ];

    public static bool TryParse(ReadOnlySpan<byte> utf8Line, out PluginLogRecord record)
    {
        record = default;
        if (utf8Line.Length < 2 || utf8Line[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8Line);
            return TryRead(ref reader, out record);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON (plain output that starts with '{'), too deep, a string that is not valid UTF-8, or a value
            // of the wrong type for the getter: all of them mean "not a record".
            record = default;
            return false;
        }
    }

    private static bool TryRead(ref Utf8JsonReader reader, out PluginLogRecord record)
    {
        record = default;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        LogLevel? level = null;
        string? message = null;
        var category = string.Empty;
        string? exception = null;
        string? traceId = null;
        string? spanId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            switch (field)
            {
                case Field.LogLevel:
                    level = ReadLevel(ref reader);
                    if (level is null)
                    {
                        return false;
                    }

                    break;
                case Field.Message:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    message = reader.GetString();
                    break;
                case Field.Category:
                    if (!TryReadOptionalString(ref reader, out var value))
                    {
                        return false;
                    }

                    category = value ?? string.Empty;
                    break;
                case Field.Exception:
                    if (!TryReadOptionalString(ref reader, out exception))
                    {
                        return false;
                    }

                    break;
                case Field.Scopes when reader.TokenType == JsonTokenType.StartArray:
                    ReadTrace(ref reader, ref traceId, ref spanId);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // One object and nothing after it: Read throws on trailing text, and a record is never two values.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || level is null || message is null)
        {
            return false;
        }

        record = new PluginLogRecord(level.Value, category, message, exception, traceId, spanId);
        return true;
    }

    // A .NET level name, or its number; None (6) is not a level to log at, so a line claiming it is kept as text.
    private static LogLevel? ReadLevel(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt32(out var number) && number is >= (int)LogLevel.Trace and <= (int)LogLevel.Critical
                ? (LogLevel)number
                : null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        var text = reader.GetString();
        foreach (var (name, level) in LevelNames)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                return level;
            }
        }

        return null;
    }

    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("LogLevel"u8) ? Field.LogLevel
        : reader.ValueTextEquals("Message"u8) ? Field.Message
        : reader.ValueTextEquals("Category"u8) ? Field.Category
        : reader.ValueTextEquals("Exception"u8) ? Field.Exception
        : reader.ValueTextEquals("Scopes"u8) ? Field.Scopes
        : Field.Other;

    private static bool TryReadOptionalString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }

    // Scopes are free-form (any scope a plugin pushed): only a string TraceId in an object scope counts, the rest
    // is skipped rather than held against the line.
    private static void ReadTrace(ref Utf8JsonReader reader, ref string? traceId, ref string? spanId)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? scopeTrace = null;
            string? scopeSpan = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTrace = reader.ValueTextEquals("TraceId"u8);
                var isSpan = reader.ValueTextEquals("SpanId"u8);
                reader.Read();
                if ((isTrace || isSpan) && reader.TokenType == JsonTokenType.String)
                {
                    if (isTrace)
                    {
                        scopeTrace = reader.GetString();
                    }
                    else
                    {
                        scopeSpan = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (scopeTrace is not null)
            {
                traceId = scopeTrace;
                spanId = scopeSpan;
            }
        }
    }

    // Property names of Microsoft.Extensions.Logging's JsonConsoleFormatter output.
    private enum Field
    {
        Other,
        LogLevel,
        Message,
        Category,
        Exception,
        Scopes,
    }
}
