using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Diagnostics.Hangs;

/// <summary>
/// Captures where a hung instance's threads are just before it is killed, so its author learns where it hung and not
/// only that it did: managed stacks over the .NET diagnostics socket (<see cref="DotNetStacks"/>), or the optional
/// signal dump of other runtimes (<see cref="SignalStacks"/>). Bounded by <see cref="Budget"/>; a failed or late capture
/// is recorded in the dump's error and never stops the kill.
/// </summary>
internal sealed partial class HangDiagnostics(HangDumpStore store, ILogger logger, TimeProvider time)
{
    /// <summary>The longest a capture may hold up the kill of a hung instance (the kill lands by HangGrace + this).</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    /// <summary>Gets where the dumps are kept.</summary>
    public HangDumpStore Store => store;

    /// <summary>Captures the instance's stacks within <see cref="Budget"/> and keeps the dump. Never throws.</summary>
    public async Task<HangDump> CaptureAsync(string plugin, PluginInstance instance)
    {
        var started = time.GetUtcNow();
        var process = instance.Process;
        var dump = new HangDump
        {
            Plugin = plugin,
            Version = instance.Version,
            InstanceId = instance.Id,
            Pid = process.Pid,
            CapturedAt = Timestamp.FromDateTimeOffset(started),
            Method = "none",
        };
        using var budget = new CancellationTokenSource(Budget, time);
        try
        {
            if (DiagnosticsSocket.Locate(process.Pid) is { } socket)
            {
                dump.Method = "eventpipe";
                dump.Text = await DotNetStacks.CaptureAsync(socket, budget.Token).ConfigureAwait(false);
            }
            else if (process.Manifest.HangDumpSignal is { Length: > 0 } signal)
            {
                dump.Method = "signal";
                (dump.Text, dump.Error) = await SignalStacks.CaptureAsync(process, signal, time, budget.Token).ConfigureAwait(false);
            }
            else
            {
                dump.Error = $"no stacks: pid {process.Pid} has no .NET diagnostics socket, and plugin.json names no hangDumpSignal";
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            dump.Error = $"the capture did not finish within {Budget.TotalSeconds:0} s and was abandoned; the kill went ahead";
        }
        catch (Exception ex)
        {
            dump.Error = $"the capture failed ({ex.GetType().Name}: {ex.Message}); the kill went ahead";
        }

        dump.Took = Duration.FromTimeSpan(time.GetUtcNow() - started);
        using (logger.BeginScope(process.LogScope))
        {
            if (dump.Error.Length > 0)
            {
                LogCaptureFailed(logger, dump.Method, dump.Error);
            }

            try
            {
                dump.Path = store.Save(dump);
                LogCaptured(logger, dump.Method, dump.Took.ToTimeSpan().TotalMilliseconds, dump.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(logger, store.Directory, ex.Message);
            }
        }

        return dump;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hang dump of a hung instance ({Method}) took {ElapsedMs:0} ms; kept in {Path}")]
    private static partial void LogCaptured(ILogger logger, string method, double elapsedMs, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hang dump ({Method}) incomplete: {Error}")]
    private static partial void LogCaptureFailed(ILogger logger, string method, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not keep a hang dump in {Directory} (StateDirectory/diagnostics): {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string directory, string reason);
}
