namespace Supervisor.Benchmarks.Results;

/// <summary>One scenario's figures in one round.</summary>
internal sealed record HopRound(double P50Micros, double P99Micros, double RequestsPerSecond);

/// <summary>One hang recovery round: milliseconds from the hung call's deadline to the kill and to a served call.</summary>
internal sealed record HangRecoveryRound(double KilledMillis, double ServingMillis);

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

    /// <summary>Gets the hang recovery rounds, run after the interleaved rounds (they kill processes).</summary>
    public List<HangRecoveryRound> HangRecovery { get; } = [];

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

    public IReadOnlyList<HopRound> Of(string scenario) =>
        _hops.TryGetValue(scenario, out var rounds) ? rounds : throw new KeyNotFoundException($"no rounds of '{scenario}' were recorded");
}
