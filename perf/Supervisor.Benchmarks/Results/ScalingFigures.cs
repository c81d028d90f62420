using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Results;

/// <summary>
/// One payload size: each hop's medians, the embedded dispatch's allocations, the host's per events API dispatch
/// (beyond the two payloads it parses: the caller's and the plugin's reply), and the ratios to the floor, each the
/// median of the per-round ratios (a round's hops ran seconds apart, under the same background load).
/// </summary>
internal sealed record PayloadFigures(
    int Bytes,
    HopFigures FloorGrpcUds,
    HopFigures Embedded,
    HopFigures EventsApi,
    AllocationFigures AllocBytesPerDispatch,
    AllocationFigures EventsHostAllocBytesPerDispatch,
    double EmbeddedP50OverFloor,
    double EmbeddedRpsOverFloor,
    double EventsP50OverFloor,
    double EventsRpsOverFloor)
{
    /// <returns>One entry per size, in the order the sizes were run.</returns>
    public static IReadOnlyList<PayloadFigures> MedianOf(IReadOnlyList<PayloadRound> rounds)
    {
        var figures = new List<PayloadFigures>();
        foreach (var bytes in rounds.Select(r => r.Bytes).Distinct())
        {
            var ofSize = rounds.Where(r => r.Bytes == bytes).ToList();
            figures.Add(new PayloadFigures(
                bytes,
                HopFigures.MedianOf([.. ofSize.Select(r => r.Floor)]),
                HopFigures.MedianOf([.. ofSize.Select(r => r.Embedded)]),
                HopFigures.MedianOf([.. ofSize.Select(r => r.EventsApi)]),
                AllocationFigures.MedianOf([.. ofSize.Select(r => r.EmbeddedAllocatedBytes)], bytes),
                AllocationFigures.MedianOf([.. ofSize.Select(r => r.EventsHostAllocatedBytes)], 2 * bytes),
                MedianRatio(ofSize, static r => r.Embedded.P50Micros / r.Floor.P50Micros),
                MedianRatio(ofSize, static r => r.Embedded.RequestsPerSecond / r.Floor.RequestsPerSecond),
                MedianRatio(ofSize, static r => r.EventsApi.P50Micros / r.Floor.P50Micros),
                MedianRatio(ofSize, static r => r.EventsApi.RequestsPerSecond / r.Floor.RequestsPerSecond)));
        }

        return figures;
    }

    private static double MedianRatio(List<PayloadRound> rounds, Func<PayloadRound, double> ratio) =>
        Math.Round(Median.Of([.. rounds.Select(ratio)]), 3);
}

/// <summary>The embedded hop over one instance count: its medians, and its throughput over one instance's in the same rounds.</summary>
internal sealed record InstanceFigures(int Instances, HopFigures Embedded, double RpsOverOneInstance)
{
    /// <returns>One entry per instance count, in the order the counts were run.</returns>
    /// <exception cref="InvalidOperationException">A round has no single-instance figure to compare with.</exception>
    public static IReadOnlyList<InstanceFigures> MedianOf(IReadOnlyList<InstanceRound> rounds)
    {
        var figures = new List<InstanceFigures>();
        foreach (var instances in rounds.Select(r => r.Instances).Distinct())
        {
            var ofCount = rounds.Where(r => r.Instances == instances).ToList();
            var ratios = ofCount.Select(r => r.Embedded.RequestsPerSecond / SingleOf(rounds, r.Round).RequestsPerSecond);
            figures.Add(new InstanceFigures(instances, HopFigures.MedianOf([.. ofCount.Select(r => r.Embedded)]), Math.Round(Median.Of([.. ratios]), 3)));
        }

        return figures;
    }

    private static HopRound SingleOf(IReadOnlyList<InstanceRound> rounds, int round) =>
        rounds.FirstOrDefault(r => r.Round == round && r.Instances == 1)?.Embedded
        ?? throw new InvalidOperationException($"{Scenarios.ScenarioNames.Instances}: round {round} measured no single instance to compare with");
}
