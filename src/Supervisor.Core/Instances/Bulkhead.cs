namespace Supervisor.Instances;

/// <summary>
/// One instance's bulkhead: at most <c>MaxConcurrency</c> calls at once, then a bounded first-in-first-out queue, then
/// rejection. A queued call that cannot finish by its deadline (the calls queued ahead of it and its own, at the
/// instance's observed service time) is shed at once instead of waiting out its deadline: the caller can then try
/// elsewhere while it still has time, and the instance's queue holds only work it can finish.
/// </summary>
/// <remarks>
/// A free permit is taken without a lock or an allocation; the queue and its timers exist only when the instance
/// is saturated.
/// </remarks>
internal sealed class Bulkhead
{
    // Weight of the newest sample in the service time average: about the last ten calls.
    private const double SmoothingFactor = 0.1;
    private readonly int _permits;
    private readonly int _queueLimit;
    private readonly TimeProvider _time;
    private readonly LinkedList<Waiter> _queue = new();
    private int _available;
    private long _serviceTicks;

    public Bulkhead(int permits, int queueLimit, TimeProvider time)
    {
        _permits = permits;
        _queueLimit = queueLimit;
        _available = permits;
        _time = time;
    }

    /// <summary>Gets the average time a call holds a permit (<see cref="TimeSpan.Zero"/> until one has finished).</summary>
    public TimeSpan ServiceTime => TimeSpan.FromTicks(Volatile.Read(ref _serviceTicks));

    /// <summary>Takes a free permit if there is one.</summary>
    public bool TryEnter()
    {
        var available = Volatile.Read(ref _available);
        while (available > 0)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - 1, available);
            if (seen == available)
            {
                return true;
            }

            available = seen;
        }

        return false;
    }

    /// <summary>Waits in the queue for a permit, up to <paramref name="deadline"/>.</summary>
    /// <exception cref="BulkheadRejectedException">The queue is full, or the call could not finish by its deadline.</exception>
    /// <exception cref="OperationCanceledException">The deadline passed or the caller cancelled while queued.</exception>
    public async ValueTask EnterAsync(DateTime deadline, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_queue)
        {
            if (TryEnter())
            {
                return;
            }

            if (_queue.Count >= _queueLimit)
            {
                throw new BulkheadRejectedException($"is at MaxConcurrency ({_permits}) with its queue full (QueueLimit {_queueLimit})");
            }

            var remaining = deadline - _time.GetUtcNow().UtcDateTime;
            if (Shed(_queue.Count, remaining) is { } shed)
            {
                throw new BulkheadRejectedException(shed);
            }

            waiter = new Waiter(deadline);
            waiter.Node = _queue.AddLast(waiter);
        }

        var left = deadline - _time.GetUtcNow().UtcDateTime;
        using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
        var byDeadline = timeout.Token.UnsafeRegister(static state => ((Waiter)state!).Admission.TrySetCanceled(), waiter);
        var byCaller = cancellationToken.UnsafeRegister(static state => ((Waiter)state!).Admission.TrySetCanceled(), waiter);
        try
        {
            await waiter.Admission.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Leave(waiter);
            throw new OperationCanceledException(cancellationToken.IsCancellationRequested ? cancellationToken : timeout.Token);
        }
        finally
        {
            await byDeadline.DisposeAsync().ConfigureAwait(false);
            await byCaller.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns a permit: the oldest queued call gets it, or it becomes free.</summary>
    /// <param name="held">How long the call held the permit, for the service time estimate.</param>
    public void Exit(TimeSpan held)
    {
        Observe(held);
        lock (_queue)
        {
            while (_queue.First is { } next)
            {
                _queue.RemoveFirst();
                next.Value.Node = null;
                if (next.Value.Admission.TrySetResult())
                {
                    ShedHopeless();
                    return;
                }
            }

            Interlocked.Increment(ref _available);
        }
    }

    private void Leave(Waiter waiter)
    {
        lock (_queue)
        {
            if (waiter.Node is { } node)
            {
                _queue.Remove(node);
                waiter.Node = null;
            }
        }
    }

    // A queued call's chance only shrinks as time passes: re-judge the queue when a permit moves.
    private void ShedHopeless()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var position = 0;
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (Shed(position, node.Value.Deadline - now) is { } shed)
            {
                _queue.Remove(node);
                node.Value.Node = null;
                node.Value.Admission.TrySetException(new BulkheadRejectedException(shed));
            }
            else
            {
                position++;
            }

            node = next;
        }
    }

    // Calls ahead are served in rounds of _permits, each taking about one service time, and then the call's own.
    private string? Shed(int ahead, TimeSpan remaining)
    {
        var service = ServiceTime;
        if (service <= TimeSpan.Zero)
        {
            return null;
        }

        var expected = service * ((ahead / _permits) + 2);
        return expected <= remaining ? null
            : $"is at MaxConcurrency ({_permits}) with {ahead} call(s) queued ahead; at its service time of {service.TotalMilliseconds:0} ms the call would finish in about {expected.TotalMilliseconds:0} ms, after its deadline ({Math.Max(0, remaining.TotalMilliseconds):0} ms left)";
    }

    private void Observe(TimeSpan held)
    {
        if (held <= TimeSpan.Zero)
        {
            return;
        }

        var previous = Volatile.Read(ref _serviceTicks);
        var next = previous == 0 ? held.Ticks : (long)((previous * (1 - SmoothingFactor)) + (held.Ticks * SmoothingFactor));
        Volatile.Write(ref _serviceTicks, next);
    }

    private sealed class Waiter(DateTime deadline)
    {
        public DateTime Deadline { get; } = deadline;

        public TaskCompletionSource Admission { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
