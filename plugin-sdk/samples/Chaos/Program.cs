using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Supervisor.PluginSdk;

return await PluginHost.RunAsync(args, context => new Chaos(context.LoggerFactory.CreateLogger<Chaos>()));

/// <summary>
/// Misbehaves on request, by event name, the way real plugins fail: a synchronous (legacy-style) plugin,
/// so a hang really holds a thread.
/// </summary>
internal sealed partial class Chaos(ILogger<Chaos> logger) : SynchronousPlugin
{
    // Held for the life of the process, so the memory stays resident.
    private static readonly List<byte[]> Held = [];

    public override IReadOnlyList<string> EventNames { get; } = ["echo", "log", "sleep", "work", "hang", "block", "throw", "crash", "alloc"];

    public override PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken)
    {
        switch (pluginEvent.Name)
        {
            case "echo":
                return new PluginReply(pluginEvent.Payload, pluginEvent.ContentType);
            case "log":
                // A line in the plugin's log, which the supervisor keeps with the caller's trace id.
                LogRequested(logger, Encoding.UTF8.GetString(pluginEvent.Payload.Span));
                return PluginReply.FromText("logged");
            case "sleep":
                var milliseconds = ParseNumber(pluginEvent, "milliseconds");
                if (cancellationToken.WaitHandle.WaitOne(milliseconds))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return PluginReply.FromText($"slept {milliseconds} ms");
            case "work":
                // Synchronous work that ignores its token but ends: slow, not hung.
                var until = DateTime.UtcNow.AddMilliseconds(ParseNumber(pluginEvent, "milliseconds"));
                while (DateTime.UtcNow < until)
                {
                    Thread.SpinWait(1000);
                }

                return PluginReply.FromText("worked");
            case "hang":
                // A tight loop that never looks at its token: only killing the process ends it.
                while (true)
                {
                    Thread.SpinWait(1000);
                }

            case "block":
                // Deliberately deaf to cancellation: a handler stuck on a lock that is never released.
                new ManualResetEventSlim(false).Wait(CancellationToken.None);
                return PluginReply.Empty;
            case "throw":
                throw new InvalidOperationException("chaos: thrown on request");
            case "crash":
                Console.Error.WriteLine("chaos: crashing on request with exit code 3");
                Environment.Exit(3);
                return PluginReply.Empty;
            case "alloc":
                var megabytes = ParseNumber(pluginEvent, "megabytes");
                for (var i = 0; i < megabytes; i++)
                {
                    var block = new byte[1024 * 1024];
                    // Touch every page so the allocation is resident, not just reserved.
                    for (var offset = 0; offset < block.Length; offset += 4096)
                    {
                        block[offset] = 1;
                    }

                    lock (Held)
                    {
                        Held.Add(block);
                    }
                }

                return PluginReply.FromText($"holding {Held.Count} MB");
            default:
                // The SDK refuses names missing from EventNames (UNIMPLEMENTED) before the handler runs.
                throw new System.Diagnostics.UnreachableException($"chaos was handed event '{pluginEvent.Name}', which it does not list");
        }
    }

    private static int ParseNumber(PluginEvent pluginEvent, string what)
    {
        var text = Encoding.UTF8.GetString(pluginEvent.Payload.Span).Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"event '{pluginEvent.Name}' needs its payload to be {what} as digits, got '{text}'");
        }

        return value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "chaos: {Text}")]
    private static partial void LogRequested(ILogger logger, string text);
}
