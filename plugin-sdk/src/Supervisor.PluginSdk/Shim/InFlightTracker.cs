using System.Collections.Concurrent;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// The handlers running now and their deadlines. A handler stays tracked until it really returns, even
/// after its caller was answered, so the supervisor can see handlers stuck past their deadline.
/// </summary>
internal sealed class InFlightTracker
{
    private readonly ConcurrentDictionary<long, DateTime> _deadlines = new();
    private readonly TimeProvider _time;
    private long _nextId;
    private TaskCompletionSource? _idle;

    public InFlightTracker(TimeProvider time) => _time = time;

    public int Count => _deadlines.Count;

    public long Begin(DateTime deadlineUtc)
    {
        var id = Interlocked.Increment(ref _nextId);
        _deadlines[id] = deadlineUtc;
        return id;
    }

    public void End(long id)
    {
        _deadlines.TryRemove(id, out _);
        if (_deadlines.IsEmpty)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    /// <summary>Counts handlers past their deadline and the longest overrun.</summary>
    public (int PastDeadline, TimeSpan MaxOverdue) Overdue()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var count = 0;
        var max = TimeSpan.Zero;
        foreach (var entry in _deadlines)
        {
            if (entry.Value < now)
            {
                count++;
                var overdue = now - entry.Value;
                if (overdue > max)
                {
                    max = overdue;
                }
            }
        }

        return (count, max);
    }

    /// <summary>Completes when no handler is running, or when <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _idle, idle);
        if (_deadlines.IsEmpty)
        {
            return true;
        }

        try
        {
            await idle.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
