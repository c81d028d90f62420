using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.HangDumps;

/// <summary>
/// Captures where a hung instance's threads are just before it is killed, so its author learns where it hung and not
/// only that it did: managed stacks over the .NET diagnostics socket (<see cref="DotNetStacks"/>), or the optional
/// signal dump of other runtimes (<see cref="SignalStacks"/>). The part that needs the process is bounded by
/// <see cref="Budget"/>; reading what was recorded follows the kill. A failed or late capture is recorded in the
/// dump's error and never stops the kill.
/// </summary>
internal sealed partial class HangDiagnostics(HangDumpStore store, ILogger logger, TimeProvider time)
{
    /// <summary>The longest a capture may hold up the kill of a hung instance (the kill lands by HangGrace + this).</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    // Reading a recorded trace needs no process, but a watcher waits for the killed event that carries the dump.
    private static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(10);

    /// <summary>Gets where the dumps are kept.</summary>
    public HangDumpStore Store => store;

    /// <summary>
    /// Records what the capture needs from the process, within <see cref="Budget"/>. Never throws.
    /// </summary>
    /// <returns>
    /// Completes once the process is no longer needed (it can be killed); its result completes with the dump, kept in
    /// the store.
    /// </returns>
    public async Task<Task<HangDump>> CaptureAsync(string plugin, PluginInstance instance)
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
            if (DiagnosticsSocket.Locate(process.PluginPid) is { } socket)
            {
                dump.Method = "eventpipe";
                var trace = await DotNetStacks.RecordAsync(socket, budget.Token).ConfigureAwait(false);
                return ReadAsync(dump, started, trace, instance);
            }

            if (process.Manifest.HangDumpSignal is { Length: > 0 } signal)
            {
                dump.Method = "signal";
                (dump.Text, dump.Error) = await SignalStacks.CaptureAsync(process, signal, time, budget.Token).ConfigureAwait(false);
            }
            else
            {
                dump.Error = $"no stacks: pid {process.PluginPid} has no .NET diagnostics socket, and plugin.json names no hangDumpSignal";
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

        return Task.FromResult(Keep(dump, started, instance));
    }

    private async Task<HangDump> ReadAsync(HangDump dump, DateTimeOffset started, string trace, PluginInstance instance)
    {
        try
        {
            dump.Text = await Task.Run(() => DotNetStacks.ReadStacks(trace)).WaitAsync(ReadBudget, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            dump.Error = $"reading the recorded trace took longer than {ReadBudget.TotalSeconds:0} s";
        }
        catch (Exception ex)
        {
            dump.Error = $"the recorded trace could not be read ({ex.GetType().Name}: {ex.Message})";
        }

        return Keep(dump, started, instance);
    }

    private HangDump Keep(HangDump dump, DateTimeOffset started, PluginInstance instance)
    {
        dump.Took = Duration.FromTimeSpan(time.GetUtcNow() - started);
        using (logger.BeginScope(instance.Process.LogScope))
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
