using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Supervisor.PluginSdk;

/// <summary>
/// The conformance events every SDK's conformance plugin handles the same way, through the SDK's public API only.
/// Synchronous, so <c>hang</c> really holds a handler thread, as the contract asks of .NET.
/// </summary>
internal sealed partial class ConformancePlugin(PluginContext context) : SynchronousPlugin, IPluginLifecycle
{
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger("conformance");
    private int _cancellations;
    private string _started = "the start hook has not run";

    public override IReadOnlyList<string> EventNames { get; } = ["echo", "settings", "sleep", "cancellations", "hang", "throw", "crash", "log", "lifecycle"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Asynchronous on purpose: the ready line must wait for the hook's continuation, not only its first part.
        await Task.Delay(50, cancellationToken);
        if (context.Settings.TryGetValue("failStart", out var message))
        {
            throw new ConformanceError(message);
        }

        _started = "started by the start hook";
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!context.Settings.TryGetValue("stopFile", out var path))
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        if (context.Settings.GetValueOrDefault("stopWaits") == "true")
        {
            // Written as the token is cancelled, synchronously: the process exits right after.
            cancellationToken.Register(() => File.WriteAllText(path, $"cancelled after {started.ElapsedMilliseconds} ms"));
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await File.WriteAllTextAsync(path, "stopped", cancellationToken);
    }

    public override PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken)
    {
        switch (pluginEvent.Name)
        {
            case "echo":
                return new PluginReply(pluginEvent.Payload, pluginEvent.ContentType);
            case "settings":
                return new PluginReply(JsonSerializer.SerializeToUtf8Bytes(context.Settings, ConformanceJsonContext.Default.IReadOnlyDictionaryStringString), "application/json");
            case "sleep":
                var milliseconds = int.Parse(Text(pluginEvent), NumberStyles.None, CultureInfo.InvariantCulture);
                if (cancellationToken.WaitHandle.WaitOne(milliseconds))
                {
                    Interlocked.Increment(ref _cancellations);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return PluginReply.FromText($"slept {milliseconds} ms");
            case "cancellations":
                return PluginReply.FromText(Volatile.Read(ref _cancellations).ToString(CultureInfo.InvariantCulture));
            case "hang":
                while (true)
                {
                    Thread.SpinWait(1000);
                }

            case "throw":
                throw new ConformanceError("thrown on request");
            case "crash":
                Console.Error.WriteLine("conformance: crashing on request");
                Environment.Exit(3);
                return PluginReply.Empty;
            case "lifecycle":
                return PluginReply.FromText(_started);
            case "log":
                LogRequested(_logger, Text(pluginEvent));
                return PluginReply.FromText("logged");
            default:
                throw new InvalidOperationException($"unreachable: the SDK refuses event '{pluginEvent.Name}' before the handler");
        }
    }

    private static string Text(PluginEvent pluginEvent) => Encoding.UTF8.GetString(pluginEvent.Payload.Span);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Text}")]
    private static partial void LogRequested(ILogger logger, string text);
}
