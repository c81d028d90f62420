using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Watches one ready instance: polls its liveness (<c>GetStatus</c>) and resident memory, and checks for a hang
/// right after a call's deadline plus HangGrace. It never kills anything itself: it asks for a recycle.
/// </summary>
internal sealed partial class InstanceMonitor : IAsyncDisposable
{
    // Two unanswered polls in a row: one can be lost to a GC pause or a loaded machine, two mean a frozen process.
    private const int MissesBeforeHung = 2;
    private const int HangCheckAttempts = 3;
    private static readonly TimeSpan CheckSlack = TimeSpan.FromMilliseconds(20);
    private readonly PluginInstance _instance;
    private readonly PluginOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _polling = Task.CompletedTask;
    private int _hangCheckPending;

    public InstanceMonitor(PluginInstance instance, PluginOptions options, TimeProvider time, ILogger logger)
    {
        _instance = instance;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Start() => _polling = PollAsync(_stop.Token);

    /// <summary>
    /// Called when a caller got DEADLINE_EXCEEDED: at the deadline plus HangGrace, asks the plugin whether a handler
    /// is still running past its deadline. One check at a time is enough: it looks at every overdue handler.
    /// </summary>
    public void CheckForHangAfter(DateTime deadline)
    {
        if (Interlocked.Exchange(ref _hangCheckPending, 1) == 1)
        {
            return;
        }

        _ = CheckForHangAsync(deadline, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _polling.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
            // Stopped, possibly in the middle of a poll, which then ends with whatever gRPC says: Cancelled, or
            // Unavailable when the process died first. The instance is going away either way.
        }

        _stop.Dispose();
    }

    private async Task CheckForHangAsync(DateTime deadline, CancellationToken cancellationToken)
    {
        try
        {
            var wait = deadline + _options.HangGrace + CheckSlack - _time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            // A process too busy to answer right after a deadline is exactly the one worth asking again: retry a few
            // times at once instead of leaving the verdict to the next periodic poll.
            for (var attempt = 0; attempt < HangCheckAttempts && !_instance.Process.Exited.IsCompleted; attempt++)
            {
                try
                {
                    var status = await _instance.Client.GetStatusAsync(new GetStatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
                    Judge(status);
                    return;
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Unanswered; ask again. Two unanswered periodic polls still make it hung on their own.
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || (ex is RpcException && cancellationToken.IsCancellationRequested))
        {
            // The instance is gone or no longer watched.
        }
        finally
        {
            Volatile.Write(ref _hangCheckPending, 0);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var misses = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.LivenessInterval, _time, cancellationToken).ConfigureAwait(false);
            if (CheckMemory())
            {
                return;
            }

            try
            {
                var status = await _instance.Client.GetStatusAsync(new GetStatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
                misses = 0;
                if (Judge(status))
                {
                    return;
                }
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped while the poll was out.
                return;
            }
            catch (RpcException ex)
            {
                if (_instance.Process.Exited.IsCompleted)
                {
                    return;
                }

                if (++misses >= MissesBeforeHung)
                {
                    _instance.RequestRecycle(StopReason.Hung, $"no answer to {misses} liveness polls in a row ({ex.StatusCode}); the process may be frozen");
                    return;
                }

                LogMissedPoll(_logger, _instance.Id, ex.StatusCode);
            }
            catch (ObjectDisposedException)
            {
                // The instance has exited and been disposed: nothing left to watch.
                return;
            }
        }
    }

    private bool Judge(GetStatusResponse status)
    {
        var overdue = status.MaxOverdue?.ToTimeSpan() ?? TimeSpan.Zero;
        if (status.PastDeadline > 0 && overdue >= _options.HangGrace)
        {
            return _instance.RequestRecycle(StopReason.Hung,
                $"{status.PastDeadline} handler(s) still running {overdue.TotalMilliseconds:0} ms past their deadline (HangGrace {_options.HangGrace.TotalMilliseconds:0} ms)");
        }

        return false;
    }

    private bool CheckMemory()
    {
        if (_options.MemoryLimitMb <= 0 || ProcessMemory.ResidentBytes(_instance.Process.Pid) is not { } resident)
        {
            return false;
        }

        var limit = (long)_options.MemoryLimitMb * 1024 * 1024;
        return resident > limit && _instance.RequestRecycle(StopReason.Memory,
            $"resident memory {resident / (1024 * 1024)} MB is over MemoryLimitMb {_options.MemoryLimitMb}");
    }

    private DateTime Deadline() => _time.GetUtcNow().UtcDateTime + _options.LivenessTimeout;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId} did not answer a liveness poll ({Status})")]
    private static partial void LogMissedPoll(ILogger logger, string instanceId, StatusCode status);
}
