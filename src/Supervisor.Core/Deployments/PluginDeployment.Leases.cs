using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>
/// Availability: a call finds an instance of the version its split gives it, or waits for one that is starting
/// (a restart, a replacement, a roll) when it can be ready within the call's deadline. Callers never see a restart.
/// </summary>
internal sealed partial class PluginDeployment : IDispatchTarget
{
    private int _waiting;

    public string ActiveVersion => Active.Version;

    public ValueTask<ICallLease> AcquireAsync(string? excludeInstanceId, DateTime deadline, CancellationToken cancellationToken)
    {
        if (deadline <= _time.GetUtcNow().UtcDateTime)
        {
            throw Refuse(Refusal.DeadlineExceeded, $"the call's deadline had passed before it was dispatched to plugin '{Name}'");
        }

        if (TryLease(excludeInstanceId) is { } lease)
        {
            return new ValueTask<ICallLease>(lease);
        }

        return WaitForInstanceAsync(excludeInstanceId, deadline, cancellationToken);
    }

    /// <summary>
    /// A canary gets its share of calls, and when the chosen version has no routable instance the other one serves,
    /// so a version briefly without instances fails no call that the other can take. An excluded instance is used
    /// only when it is the last one.
    /// </summary>
    private ICallLease? TryLease(string? excludeInstanceId)
    {
        var split = Volatile.Read(ref _split);
        var first = split.Stable;
        var second = split.Canary;
        if (second is not null && Interlocked.Increment(ref _spread) % 100 < (uint)split.CanaryPercent)
        {
            (first, second) = (second, first);
        }

        return first.Pool.TryLease(excludeInstanceId)
            ?? second?.Pool.TryLease(excludeInstanceId)
            ?? (excludeInstanceId is null ? null : first.Pool.TryLease(null) ?? second?.Pool.TryLease(null));
    }

    private async ValueTask<ICallLease> WaitForInstanceAsync(string? excludeInstanceId, DateTime deadline, CancellationToken cancellationToken)
    {
        // Bounded like a bulkhead's queue: calls piling up behind a restart must not grow without limit.
        var limit = Options.QueueLimit * Options.Instances;
        if (Interlocked.Increment(ref _waiting) > limit)
        {
            Interlocked.Decrement(ref _waiting);
            throw Refuse(Refusal.Saturated, $"{limit} calls already wait for plugin '{Name}' to have a ready instance (QueueLimit {Options.QueueLimit} × Instances {Options.Instances}); retry later");
        }

        try
        {
            while (true)
            {
                // Read the signals before looking, so a change between the look and the wait is not missed.
                var split = Volatile.Read(ref _split);
                Task[] changes = split.Canary is null
                    ? [split.Stable.Pool.Changed, SplitChanged]
                    : [split.Stable.Pool.Changed, split.Canary.Pool.Changed, SplitChanged];
                if (TryLease(excludeInstanceId) is { } lease)
                {
                    return lease;
                }

                var now = _time.GetUtcNow();
                var remaining = deadline - now.UtcDateTime;
                var outlook = split.Canary is null ? split.Stable.Outlook() : ReadyOutlook.Sooner(split.Stable.Outlook(), split.Canary.Outlook());
                if (IsStopping)
                {
                    throw Refuse(Refusal.Unavailable, $"plugin '{Name}' is shutting down");
                }

                if (remaining <= TimeSpan.Zero)
                {
                    throw Refuse(Refusal.DeadlineExceeded, $"no instance of plugin '{Name}' was ready by the call's deadline; {outlook.Why}");
                }

                if (outlook.EarliestReady is not { } earliest)
                {
                    throw Refuse(Refusal.Unavailable, outlook.Why);
                }

                if (earliest.UtcDateTime > deadline)
                {
                    throw Refuse(Refusal.Unavailable, $"{outlook.Why}; the next instance can be ready in {(earliest - now).TotalMilliseconds:0} ms, after the call's deadline ({remaining.TotalMilliseconds:0} ms left); retry later");
                }

                try
                {
                    await Task.WhenAny(changes).WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The deadline: one more look, then the answer.
                }
                catch (OperationCanceledException) when (Deadline.Reached(deadline, _time))
                {
                    // A gRPC server cancels the call's token at its deadline: that is the deadline, not a caller giving up.
                    throw Refuse(Refusal.DeadlineExceeded, $"no instance of plugin '{Name}' was ready by the call's deadline; {outlook.Why}");
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private CallRefusedException Refuse(Refusal refusal, string message)
    {
        var counters = Active.Pool.Counters;
        counters.Call();
        if (refusal == Refusal.DeadlineExceeded)
        {
            counters.Timeout();
        }
        else
        {
            counters.Failure();
        }

        return new CallRefusedException(refusal, message);
    }
}
