using System.Runtime.InteropServices;
using Supervisor.Processes;

namespace Supervisor.HangDumps;

/// <summary>
/// The optional dump for plugins in other runtimes (docs/protocol.md, "Hang dumps"): the signal their
/// <c>plugin.json</c> names (<c>hangDumpSignal</c>, e.g. SIGQUIT for Node's <c>--report-on-signal</c>, Python's
/// <c>faulthandler.register</c>, Go's default traceback), and what the plugin then writes on stderr.
/// </summary>
internal static class SignalStacks
{
    /// <summary>The most a dump keeps of what the plugin writes.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    // A dump is a burst of lines: once stderr has been quiet this long after the first, the dump is taken as complete.
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(250);

    private static readonly Dictionary<string, int> Signals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGQUIT"] = 3,
        ["SIGUSR1"] = 10,
        ["SIGUSR2"] = 12,
    };

    /// <summary>Sends the signal and records stderr until it falls quiet, the process exits, or the capture is cancelled.</summary>
    /// <returns>What the plugin wrote, and why it may be incomplete (empty when it is not).</returns>
    public static async Task<(string Text, string Error)> CaptureAsync(PluginProcess process, string signal, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Signals.TryGetValue(signal, out var number))
        {
            return (string.Empty, $"hangDumpSignal '{signal}' is not one of {string.Join(", ", Signals.Keys)}");
        }

        var recording = new StderrRecording(MaxBytes, time);
        process.StderrRecording = recording;
        try
        {
            if (Sandbox.Posix.Signal(process.PluginPid, number) != 0)
            {
                return (string.Empty, $"could not send {signal} to pid {process.PluginPid} (errno {Marshal.GetLastPInvokeError()})");
            }

            while (!process.Exited.IsCompleted && !(recording.HasLines && time.GetUtcNow() - recording.LastLineAt >= Quiet))
            {
                await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
            }

            if (!recording.HasLines)
            {
                return (string.Empty, $"the plugin exited after {signal} without writing to stderr");
            }

            return (recording.ToString(), recording.Truncated ? $"cut at {MaxBytes} bytes" : string.Empty);
        }
        catch (OperationCanceledException)
        {
            return (recording.ToString(), recording.HasLines
                ? "stderr was still being written when the capture's time ran out: the dump may be incomplete"
                : $"nothing on stderr after {signal} before the capture's time ran out");
        }
        finally
        {
            process.StderrRecording = null;
        }
    }
}
