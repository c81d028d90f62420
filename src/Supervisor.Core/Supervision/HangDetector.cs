using System.Collections.Concurrent;
using Grpc.Core;
using Supervisor.Configuration;
using Supervisor.Instances;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Hang detection after a missed deadline: at the deadline plus <c>HangGrace</c>, asks the instance whether a
/// handler is still running past its deadline, and if so asks for the instance to be replaced (reason <c>hung</c>).
/// One check per instance at a time is enough: it looks at every overdue handler. The periodic liveness poll
/// (<see cref="LivenessMonitor"/>) catches a process that stops answering altogether.
/// </summary>
internal sealed class HangDetector(PluginOptions options, TimeProvider time, CancellationToken stopping)
{
    private const int Attempts = 3;
    private static readonly TimeSpan CheckSlack = TimeSpan.FromMilliseconds(20);
    private readonly ConcurrentDictionary<PluginInstance, byte> _pending = new();

    public void CheckAfter(PluginInstance instance, DateTime deadline)
    {
        if (_pending.TryAdd(instance, 0))
        {
            _ = CheckAsync(instance, deadline);
        }
    }

    /// <summary>Judges a status answer; asks for a recycle when a handler is overdue by HangGrace or more.</summary>
    /// <returns>Whether this answer asked for the recycle.</returns>
    public static bool Judge(PluginInstance instance, GetStatusResponse status, PluginOptions options)
    {
        var overdue = status.MaxOverdue?.ToTimeSpan() ?? TimeSpan.Zero;
        return status.PastDeadline > 0 && overdue >= options.HangGrace && instance.RequestRecycle(StopReason.Hung,
            $"{status.PastDeadline} handler(s) still running {overdue.TotalMilliseconds:0} ms past their deadline (HangGrace {options.HangGrace.TotalMilliseconds:0} ms)");
    }

    private async Task CheckAsync(PluginInstance instance, DateTime deadline)
    {
        try
        {
            var wait = deadline + options.HangGrace + CheckSlack - time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stopping).ConfigureAwait(false);
            }

            // A process too busy to answer right after a deadline is exactly the one worth asking again: retry a few
            // times at once instead of leaving the verdict to the next periodic poll.
            for (var attempt = 0; attempt < Attempts && !instance.Process.Exited.IsCompleted; attempt++)
            {
                try
                {
                    var status = await instance.Client.GetStatusAsync(new GetStatusRequest(), deadline: time.GetUtcNow().UtcDateTime + options.LivenessTimeout, cancellationToken: stopping).ConfigureAwait(false);
                    Judge(instance, status, options);
                    return;
                }
                catch (RpcException) when (!stopping.IsCancellationRequested)
                {
                    // Unanswered; ask again. Two unanswered periodic polls still make it hung on their own.
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or RpcException)
        {
            // The version is stopping, or the instance is gone.
        }
        finally
        {
            _pending.TryRemove(instance, out _);
        }
    }
}
