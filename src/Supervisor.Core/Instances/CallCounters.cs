namespace Supervisor.Instances;

/// <summary>Lock-free call counters of an instance or of one version of a plugin.</summary>
internal sealed class CallCounters
{
    private long _calls;
    private long _failures;
    private long _timeouts;
    private long _kills;

    public long Calls => Volatile.Read(ref _calls);

    public long Failures => Volatile.Read(ref _failures);

    public void Call() => Interlocked.Increment(ref _calls);

    public void Failure() => Interlocked.Increment(ref _failures);

    public void Timeout()
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Increment(ref _timeouts);
    }

    public void Kill() => Interlocked.Increment(ref _kills);

    public CallCounts Snapshot() => new(Calls, Failures, Volatile.Read(ref _timeouts), Volatile.Read(ref _kills));
}

/// <summary>Counter values at one moment; added up across versions, or subtracted to get an interval.</summary>
internal readonly record struct CallCounts(long Calls, long Failures, long Timeouts, long Kills)
{
    public static CallCounts operator +(CallCounts a, CallCounts b) =>
        new(a.Calls + b.Calls, a.Failures + b.Failures, a.Timeouts + b.Timeouts, a.Kills + b.Kills);

    public static CallCounts operator -(CallCounts later, CallCounts earlier) =>
        new(later.Calls - earlier.Calls, later.Failures - earlier.Failures, later.Timeouts - earlier.Timeouts, later.Kills - earlier.Kills);

    public Protocol.Admin.V1.PluginCounters ToProto() => new()
    {
        Calls = (ulong)Calls,
        Failures = (ulong)Failures,
        Timeouts = (ulong)Timeouts,
        Kills = (ulong)Kills,
    };
}
