namespace Supervisor.Instances;

/// <summary>Lock-free call counters, shared by an instance and its plugin.</summary>
internal sealed class CallCounters
{
    private long _calls;
    private long _failures;
    private long _timeouts;
    private long _kills;

    public long Calls => Volatile.Read(ref _calls);

    public long Failures => Volatile.Read(ref _failures);

    public long Timeouts => Volatile.Read(ref _timeouts);

    public long Kills => Volatile.Read(ref _kills);

    public void Call() => Interlocked.Increment(ref _calls);

    public void Failure() => Interlocked.Increment(ref _failures);

    public void Timeout()
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Increment(ref _timeouts);
    }

    public void Kill() => Interlocked.Increment(ref _kills);

    public Protocol.Admin.V1.PluginCounters ToProto() => new()
    {
        Calls = (ulong)Calls,
        Failures = (ulong)Failures,
        Timeouts = (ulong)Timeouts,
        Kills = (ulong)Kills,
    };
}
