using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Watches one ready instance every <c>LivenessInterval</c>: its resident memory against <c>MemoryLimitMb</c>, and
/// its liveness (<c>GetStatus</c>), whose answer is also judged for overdue handlers. It never kills anything
/// itself: it asks for a recycle, which the instance's slot carries out.
/// </summary>
internal sealed partial class LivenessMonitor : IAsyncDisposable
{
    // Two unanswered polls in a row: one can be lost to a GC pause or a loaded machine, two mean a frozen process.
    private const int MissesBeforeHung = 2;
    private readonly PluginInstance _instance;
    private readonly PluginOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    private LivenessMonitor(PluginInstance instance, PluginOptions options, TimeProvider time, ILogger logger)
    {
        _instance = instance;
        _options = options;
        _time = time;
        _logger = logger;
        _polling = PollAsync(_stop.Token);
    }

    public static LivenessMonitor Start(PluginInstance instance, PluginOptions options, TimeProvider time, ILogger logger) =>
        new(instance, options, time, logger);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _polling.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or ObjectDisposedException)
        {
            // Stopped, possibly in the middle of a poll, which then ends with whatever gRPC says: Cancelled, or
            // Unavailable when the process died first. The instance is going away either way.
        }

        _stop.Dispose();
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var misses = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.LivenessInterval, _time, cancellationToken).ConfigureAwait(false);
            if (OverMemoryLimit())
            {
                return;
            }

            try
            {
                var status = await _instance.Client.GetStatusAsync(new GetStatusRequest(), deadline: _time.GetUtcNow().UtcDateTime + _options.LivenessTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
                misses = 0;
                if (HangDetector.Judge(_instance, status, _options))
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
        }
    }

    private bool OverMemoryLimit()
    {
        if (_options.MemoryLimitMb <= 0)
        {
            return false;
        }

        var process = _instance.Process;
        if (process.OomKills is > 0 and var killed)
        {
            return _instance.RequestRecycle(StopReason.Memory,
                $"the kernel killed {killed} of its processes at MemoryLimitMb {_options.MemoryLimitMb} (the instance's cgroup cap, counting descendants)");
        }

        // Under a memory cgroup the kernel enforces the cap itself; without one, this poll is the only limit.
        if (process.Sandbox.MemoryCapped || process.Usage.MemoryBytes is not { } used)
        {
            return false;
        }

        var limit = (long)_options.MemoryLimitMb * 1024 * 1024;
        return used > limit && _instance.RequestRecycle(StopReason.Memory,
            $"resident memory {used / (1024 * 1024)} MB (the instance and its descendants) is over MemoryLimitMb {_options.MemoryLimitMb}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId} did not answer a liveness poll ({Status})")]
    private static partial void LogMissedPoll(ILogger logger, string instanceId, StatusCode status);
}
