using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Results;

/// <summary>
/// One scenario's figures in one round. <paramref name="CpuMicrosPerCall"/>: the CPU the benchmark's whole process tree
/// (callers, supervisors, hosts and plugins) used per call in the throughput window, which other processes' load
/// changes far less than the rate, and <paramref name="CpuSplit"/> the same by who spent it; both
/// <see langword="null"/> where <c>/proc</c> is not readable.
/// </summary>
internal sealed record HopRound(double P50Micros, double P99Micros, double RequestsPerSecond, double? CpuMicrosPerCall, CpuSplit? CpuSplit);

/// <summary>One hang recovery round: milliseconds from the hung call's deadline to the kill and to a served call.</summary>
internal sealed record HangRecoveryRound(double KilledMillis, double ServingMillis);

/// <summary>One plugin start round: each build's milliseconds to its first reply and settled resident MiB (AOT null where not published).</summary>
internal sealed record PluginStartRound(double JitStartMillis, double JitRssMb, double? CompositeStartMillis, double? CompositeRssMb, double? AotStartMillis, double? AotRssMb);

/// <summary>
/// One scale round: seconds until every instance was ready, the MiB their processes hold together, and the CPU seconds
/// spent until then by this process (the supervisor's side of the starts), by its descendants (the plugins and their
/// sandbox wrappers) and by the whole machine; the CPU figures are <see langword="null"/> where <c>/proc</c> is not
/// readable.
/// </summary>
internal sealed record ScaleRound(double ReadySeconds, double TotalRssMb, double? SupervisorCpuSeconds, double? PluginCpuSeconds, double? MachineCpuSeconds);

/// <summary>One roll round: failed calls, and the p99 of calls started in the steady window and during the roll there and back.</summary>
internal sealed record RollRound(int Failed, int Calls, double SteadyP99Micros, double RollP99Micros, double RollSeconds);

/// <summary>
/// One payload round at one size: each hop's figures, and the bytes allocated per embedded dispatch (in this process)
/// and per events API dispatch (in the host process), payloads included.
/// </summary>
internal sealed record PayloadRound(int Bytes, HopRound Floor, HopRound Embedded, HopRound EventsApi, double EmbeddedAllocatedBytes, double EventsHostAllocatedBytes);

/// <summary>One instance round at one count: the embedded hop's figures with calls spread over that many echo instances.</summary>
internal sealed record InstanceRound(int Round, int Instances, HopRound Embedded);

/// <summary>
/// Every round's raw figures, kept per round rather than pooled so ratios compare scenarios measured seconds
/// apart under the same background load.
/// </summary>
internal sealed class RoundLog
{
    private readonly Dictionary<string, List<HopRound>> _hops = new(StringComparer.Ordinal);

    public List<double> DirectNanosPerCall { get; } = [];

    /// <summary>Gets, per round, the share of the machine used by other processes (empty where unknown).</summary>
    public List<double> OtherCpuPercent { get; } = [];

    /// <summary>Gets, per round, the bytes allocated per embedded dispatch, payload included.</summary>
    public List<double> AllocatedBytesPerDispatch { get; } = [];

    /// <summary>Gets the hang recovery rounds, run after the interleaved rounds (they kill processes).</summary>
    public List<HangRecoveryRound> HangRecovery { get; } = [];

    /// <summary>Gets the plugin start rounds, run alone after the interleaved rounds, like every round below.</summary>
    public List<PluginStartRound> PluginStarts { get; } = [];

    /// <summary>Gets the idle resident MiB of the supervisor host, one figure per host started.</summary>
    public List<double> SupervisorRssMb { get; } = [];

    public List<ScaleRound> Scale { get; } = [];

    public List<RollRound> Roll { get; } = [];

    /// <summary>Gets the payload rounds, every size once a round, on the processes the interleaved rounds used.</summary>
    public List<PayloadRound> Payload { get; } = [];

    public List<InstanceRound> Instances { get; } = [];

    public int Rounds => DirectNanosPerCall.Count;

    public void Add(string scenario, HopRound figures)
    {
        if (!_hops.TryGetValue(scenario, out var rounds))
        {
            rounds = [];
            _hops[scenario] = rounds;
        }

        rounds.Add(figures);
    }

    public bool Has(string scenario) => _hops.ContainsKey(scenario);

    public IReadOnlyList<HopRound> Of(string scenario) =>
        _hops.TryGetValue(scenario, out var rounds) ? rounds : throw new KeyNotFoundException($"no rounds of '{scenario}' were recorded");
}
