using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Results;

/// <summary>One figure for each build of the echo plugin; <see cref="Aot"/> is null where echo-aot was not published.</summary>
internal sealed record JitAotFigures(double Jit, double? Aot)
{
    public static JitAotFigures MedianOf(IReadOnlyList<PluginStartRound> rounds, Func<PluginStartRound, double> jit, Func<PluginStartRound, double?> aot)
    {
        var jitValues = new List<double>(rounds.Count);
        var aotValues = new List<double>(rounds.Count);
        foreach (var round in rounds)
        {
            jitValues.Add(jit(round));
            if (aot(round) is { } value)
            {
                aotValues.Add(value);
            }
        }

        return new JitAotFigures(Math.Round(Median.Of(jitValues), 1), aotValues.Count == 0 ? null : Math.Round(Median.Of(aotValues), 1));
    }
}

/// <summary>
/// Bytes allocated in the embedding process per <c>DispatchAsync</c>: in all, the reply's payload (the bytes the
/// caller asked for, which any design must allocate), and the rest, which is what the dispatch path itself costs.
/// </summary>
internal sealed record AllocationFigures(double Total, int Payload, double BeyondPayload)
{
    public static AllocationFigures MedianOf(IReadOnlyList<double> totals, int payloadBytes)
    {
        var total = Math.Round(Median.Of(totals));
        return new AllocationFigures(total, payloadBytes, total - payloadBytes);
    }
}

/// <summary>Many instances under one embedded supervisor: how many, of which plugin build, and what they cost.</summary>
internal sealed record ScaleFigures(double ReadyS, double TotalRssMb, int Instances, string Plugin)
{
    public static ScaleFigures MedianOf(IReadOnlyList<ScaleRound> rounds, int instances, string plugin)
    {
        var ready = new double[rounds.Count];
        var rss = new double[rounds.Count];
        for (var i = 0; i < rounds.Count; i++)
        {
            ready[i] = rounds[i].ReadySeconds;
            rss[i] = rounds[i].TotalRssMb;
        }

        return new ScaleFigures(Math.Round(Median.Of(ready), 2), Math.Round(Median.Of(rss)), instances, plugin);
    }
}
