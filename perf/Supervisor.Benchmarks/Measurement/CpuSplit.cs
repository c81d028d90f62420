namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// CPU microseconds per call by who spent them: <paramref name="Callers"/>, this benchmark process (its callers, and
/// the supervisor where it is embedded); <paramref name="Hosts"/>, the supervisor host processes (the events API's
/// two hops); <paramref name="Plugins"/>, the plugins and their sandbox programs.
/// </summary>
internal sealed record CpuSplit(double Callers, double Hosts, double Plugins)
{
    /// <summary>Each part's median over rounds, rounded as the report prints it.</summary>
    public static CpuSplit? MedianOf(IEnumerable<CpuSplit?> rounds)
    {
        CpuSplit[] known = [.. rounds.OfType<CpuSplit>()];
        return known.Length == 0
            ? null
            : new CpuSplit(
                Math.Round(Median.Of([.. known.Select(s => s.Callers)]), 1),
                Math.Round(Median.Of([.. known.Select(s => s.Hosts)]), 1),
                Math.Round(Median.Of([.. known.Select(s => s.Plugins)]), 1));
    }
}
