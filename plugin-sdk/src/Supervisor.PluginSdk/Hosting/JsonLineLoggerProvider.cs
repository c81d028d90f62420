using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Supervisor.PluginSdk.Hosting;

/// <summary>
/// Writes each log entry as one JSON object per line to stderr, in the shape of .NET's JSON console
/// (<c>Timestamp</c>, <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>, <c>Exception</c>,
/// <c>State</c>, <c>Scopes</c>) that docs/protocol.md asks of every SDK.
/// </summary>
/// <remarks>
/// Not the framework's JSON console: that one can only be built through a service container of its own, whose
/// reflection-built generics cost a Native AOT plugin about a tenth of its start (docs/performance.md). Lines are
/// written whole under a lock, so concurrent handlers never interleave inside a line.
/// </remarks>
internal sealed class JsonLineLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private IExternalScopeProvider? _scopes;

    public JsonLineLoggerProvider(Stream output, TimeProvider time)
    {
        _output = output;
        _time = time;
    }

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        // stderr belongs to the process, not to the provider.
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("Timestamp"u8, _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteNumber("EventId"u8, eventId.Id);
                writer.WriteString("LogLevel"u8, LevelName(level));
                writer.WriteString("Category"u8, category);
                writer.WriteString("Message"u8, message);
                if (exception is not null)
                {
                    writer.WriteString("Exception"u8, exception.ToString());
                }

                if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
                {
                    writer.WriteStartObject("State"u8);
                    WriteProperties(writer, properties);
                    writer.WriteEndObject();
                }

                writer.WriteStartArray("Scopes"u8);
                _scopes?.ForEachScope(static (scope, w) => WriteScope(w, scope), writer);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            _buffer.Write("\n"u8);
            _output.Write(_buffer.WrittenSpan);
            _output.Flush();
        }
    }

    private static void WriteScope(Utf8JsonWriter writer, object? scope)
    {
        if (scope is IEnumerable<KeyValuePair<string, object?>> properties)
        {
            writer.WriteStartObject();
            foreach (var property in properties)
            {
                writer.WriteString(property.Key, Convert.ToString(property.Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue(Convert.ToString(scope, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void WriteProperties(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>> properties)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            var property = properties[i];
            writer.WriteString(property.Key, Convert.ToString(property.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        _ => "Critical",
    };

    private sealed class JsonLineLogger(JsonLineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes?.Push(state);

        // The factory's filter rules decide; this logger writes whatever reaches it.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
