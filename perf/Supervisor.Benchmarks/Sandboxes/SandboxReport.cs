using System.Globalization;
using System.Text;
using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Sandboxes;

/// <summary>The <c>--sandbox</c> results: per variant the medians over the rounds, and each as a ratio to the sandbox off.</summary>
internal sealed record SandboxReport(DateTimeOffset StartedAt, int Rounds, int Callers, double WindowSeconds, IReadOnlyList<SandboxFigures> Variants, NeighbourFigures Neighbours)
{
    public static SandboxReport Create(DateTimeOffset startedAt, int rounds, int callers, TimeSpan window, IReadOnlyDictionary<string, List<SandboxComparison.Sample>> samples, IReadOnlyDictionary<string, string> applied, NeighbourFigures neighbours)
    {
        var off = samples["off"];
        var figures = SandboxComparison.Variants.Select(v =>
        {
            var own = samples[v.Name];
            return new SandboxFigures(
                v.Name,
                applied.GetValueOrDefault(v.Name, string.Empty),
                Median.Of(own.Select(s => s.StartMillis).ToList()),
                Median.Of(own.Select(s => s.RequestsPerSecond).ToList()),
                Median.Of(own.Select((s, round) => s.StartMillis - off[round].StartMillis).ToList()),
                Median.Of(own.Select((s, round) => s.RequestsPerSecond / off[round].RequestsPerSecond).ToList()));
        }).ToList();
        return new SandboxReport(startedAt, rounds, callers, window.TotalSeconds, figures, neighbours);
    }

    public string Format()
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Sandbox layers: .NET echo behind an embedded supervisor, medians of {Rounds} rounds; throughput with {Callers} callers, 1 KiB");
        table.AppendLine("variant    start to first reply      throughput           layers applied");
        foreach (var variant in Variants)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"{variant.Variant,-10} {variant.StartMillis,6:0} ms ({variant.StartDeltaMillis,+5:+0;-0;0} ms)   {variant.RequestsPerSecond,7:0} rps (x{variant.ThroughputRatio:0.00})   {variant.Applied}");
        }

        table.AppendLine(CultureInfo.InvariantCulture,
            $"Noisy neighbours: two plugins spinning on every core; another's 300 ms deadlines answered in {Neighbours.OffMedianMillis:0} ms (worst {Neighbours.OffWorstMillis:0}) with the sandbox off, {Neighbours.LimitedMedianMillis:0} ms (worst {Neighbours.LimitedWorstMillis:0}) with CpuLimit 0.5 each ({Neighbours.Calls} calls)");
        return table.ToString();
    }
}

/// <summary>One variant's medians; the start as a difference from "off" and the throughput as a ratio to it, per round.</summary>
internal sealed record SandboxFigures(string Variant, string Applied, double StartMillis, double RequestsPerSecond, double StartDeltaMillis, double ThroughputRatio);

/// <summary>Time to a 300 ms deadline's answer beside two spinning plugins, without and with their CpuLimit.</summary>
internal sealed record NeighbourFigures(int Calls, double OffMedianMillis, double OffWorstMillis, double LimitedMedianMillis, double LimitedWorstMillis);
