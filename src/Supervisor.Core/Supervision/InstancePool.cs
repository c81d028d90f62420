using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.Instances;

namespace Supervisor.Supervision;

/// <summary>
/// The instances of one version that take calls. Selection hands out a lease on the least busy one; what the
/// router reports through the lease lands here: the version's counters and latency, unrouting an instance that
/// refused a connection, and the hang check after a missed deadline. The routable set is an immutable array,
/// read lock-free on every call and replaced when it changes; <see cref="Changed"/> wakes calls waiting for it.
/// </summary>
internal sealed class InstancePool
{
    private readonly Lock _gate = new();
    private readonly HangDetector _hangs;
    private PluginInstance[] _routable = [];
    private TaskCompletionSource _changed = NewSignal();
    private uint _rotation;

    public InstancePool(string name, PluginOptions options, HangDetector hangs)
    {
        Name = name;
        Options = options;
        _hangs = hangs;
    }

    public string Name { get; }

    public PluginOptions Options { get; }

    /// <summary>Gets the calls answered by this version's instances.</summary>
    public CallCounters Counters { get; } = new();

    /// <summary>Gets the latency of calls answered by this version's instances.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Gets how many instances take calls now.</summary>
    public int RoutableCount => Volatile.Read(ref _routable).Length;

    /// <summary>Gets a task that completes at the next change of the routable set or of the version's outlook.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Leases the routable instance with the fewest calls in flight, rotating among equals; <see langword="null"/> when none is routable.</summary>
    public ICallLease? TryLease(string? excludeInstanceId)
    {
        var routable = Volatile.Read(ref _routable);
        var count = routable.Length;
        if (count == 0)
        {
            return null;
        }

        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)count);
        PluginInstance? best = null;
        for (var i = 0; i < count; i++)
        {
            var candidate = routable[(start + i) % count];
            if (!candidate.IsRoutable || (excludeInstanceId is not null && candidate.Id == excludeInstanceId))
            {
                continue;
            }

            if (best is null || candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        if (best is null)
        {
            return null;
        }

        best.Counters.Call();
        return new InstanceLease(this, best);
    }

    /// <summary>Replaces the routable set with the routable ones among <paramref name="instances"/>, and wakes waiting calls.</summary>
    public void Publish(IEnumerable<PluginInstance> instances)
    {
        lock (_gate)
        {
            Volatile.Write(ref _routable, [.. instances.Where(i => i.IsRoutable)]);
        }

        Signal();
    }

    /// <summary>Wakes calls waiting for an instance: something they judge their chances by has changed.</summary>
    public void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    internal void Complete(PluginInstance instance, CallOutcome outcome, bool unreachable, DateTime deadline, TimeSpan elapsed)
    {
        if (unreachable)
        {
            // The process is going away: route nothing more to it. Its exit is handled when it is observed.
            instance.MarkUnreachable();
            lock (_gate)
            {
                Volatile.Write(ref _routable, [.. _routable.Where(i => i.IsRoutable)]);
            }

            Signal();
        }

        if (outcome == CallOutcome.Retried)
        {
            return;
        }

        Counters.Call();
        switch (outcome)
        {
            case CallOutcome.Succeeded:
                Latency.Record(elapsed);
                return;
            case CallOutcome.TimedOut:
                Counters.Timeout();
                instance.Counters.Timeout();
                Latency.Record(elapsed);
                _hangs.CheckAfter(instance, deadline);
                return;
            case CallOutcome.Cancelled:
                return;
            case CallOutcome.Rejected:
                Counters.Failure();
                instance.Counters.Failure();
                return;
            default:
                Counters.Failure();
                instance.Counters.Failure();
                Latency.Record(elapsed);
                return;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
