using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Supervisor.Tests.TestAssets;

/// <summary>A logger provider that keeps every entry with its scope fields, for tests that assert on log content.</summary>
internal sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>One log entry: its level, category, message and the fields of every scope around it.</summary>
    internal sealed record Entry(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Fields);

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => log._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            log._scopes.ForEachScope(
                static (scope, fields) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            fields[key] = value;
                        }
                    }
                },
                fields);
            log._entries.Enqueue(new Entry(logLevel, category, formatter(state, exception), fields));
        }
    }
}
