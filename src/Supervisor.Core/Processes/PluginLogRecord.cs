using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Supervisor.Processes;

/// <summary>
/// One line a plugin wrote in .NET's JSON console format (the SDK's), read back so the supervisor can log it at
/// its own level with its category, message, exception and the trace of the call it belongs to.
/// </summary>
internal readonly record struct PluginLogRecord(LogLevel Level, string Category, string Message, string? Exception, string? TraceId, string? SpanId)
{
    public static bool TryParse(string line, out PluginLogRecord record)
    {
        record = default;
        if (line.Length < 2 || line[0] != '{')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty(Fields.LogLevel, out var levelText)
                || !Enum.TryParse<LogLevel>(levelText.GetString(), out var level)
                || !root.TryGetProperty(Fields.Message, out var message))
            {
                return false;
            }

            string? traceId = null;
            string? spanId = null;
            if (root.TryGetProperty(Fields.Scopes, out var scopes) && scopes.ValueKind == JsonValueKind.Array)
            {
                foreach (var scope in scopes.EnumerateArray())
                {
                    if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(Fields.TraceId, out var trace))
                    {
                        traceId = trace.GetString();
                        spanId = scope.TryGetProperty(Fields.SpanId, out var span) ? span.GetString() : null;
                    }
                }
            }

            record = new PluginLogRecord(
                level,
                root.TryGetProperty(Fields.Category, out var category) ? category.GetString() ?? string.Empty : string.Empty,
                message.GetString() ?? string.Empty,
                root.TryGetProperty(Fields.Exception, out var exception) ? exception.GetString() : null,
                traceId,
                spanId);
            return true;
        }
        catch (JsonException)
        {
            // Plain output that happens to start with '{'.
            return false;
        }
    }

    // Property names of Microsoft.Extensions.Logging's JsonConsoleFormatter output.
    private static class Fields
    {
        public const string LogLevel = "LogLevel";
        public const string Message = "Message";
        public const string Scopes = "Scopes";
        public const string TraceId = "TraceId";
        public const string SpanId = "SpanId";
        public const string Category = "Category";
        public const string Exception = "Exception";
    }
}
