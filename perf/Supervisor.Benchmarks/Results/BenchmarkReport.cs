using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Results;

/// <summary>The results file: medians across rounds, with enough context to compare runs from different machines.</summary>
internal sealed record BenchmarkReport(MachineInfo Machine, WorkloadInfo Workload, ScenarioResults Scenarios, RatioResults Ratios)
{
    /// <param name="scalePlugin">The plugin build the scale rounds ran, with the reason where it is not the AOT one.</param>
    public static BenchmarkReport Create(BenchmarkSettings settings, RoundLog log, DateTimeOffset startedAt, string scalePlugin)
    {
        var floor = log.Of(ScenarioNames.Floor);
        var embedded = log.Of(ScenarioNames.Embedded);
        var events = log.Of(ScenarioNames.EventsApi);
        var floorComposite = log.Has(ScenarioNames.FloorComposite) ? log.Of(ScenarioNames.FloorComposite) : null;
        var p50Ratios = new double[floor.Count];
        var embeddedRpsRatios = new double[floor.Count];
        var eventsRpsRatios = new double[floor.Count];
        for (var round = 0; round < floor.Count; round++)
        {
            p50Ratios[round] = embedded[round].P50Micros / floor[round].P50Micros;
            embeddedRpsRatios[round] = embedded[round].RequestsPerSecond / floor[round].RequestsPerSecond;
            eventsRpsRatios[round] = events[round].RequestsPerSecond / floor[round].RequestsPerSecond;
        }

        var hangRecovery = HangRecoveryFigures.MedianOf(log.HangRecovery, HangRecoveryScenario.HangGrace);

        return new BenchmarkReport(
            new MachineInfo(
                Environment.ProcessorCount,
                RuntimeInformation.OSDescription,
                RuntimeInformation.FrameworkDescription,
                startedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                settings.Quick,
                log.Rounds,
                log.OtherCpuPercent.Count == 0 ? null : Math.Round(Median.Of(log.OtherCpuPercent), 1),
                log.OtherCpuPercent.Count == 0 ? null : Math.Round(log.OtherCpuPercent.Max(), 1)),
            new WorkloadInfo(
                $"{EchoEvent.Plugin} {EchoEvent.Version}",
                EchoEvent.PayloadBytes,
                settings.LatencySamples,
                settings.Callers,
                settings.ThroughputWindow.TotalSeconds),
            new ScenarioResults(
                HopFigures.MedianOf(floor),
                HopFigures.MedianOf(embedded),
                HopFigures.MedianOf(events),
                new DirectFigures(Math.Round(Median.Of(log.DirectNanosPerCall), 1)),
                HopFigures.MedianOf(log.Of(ScenarioNames.InProcessPollyTcs)),
                hangRecovery,
                EchoBuildFigures.MedianOf(log.PluginStarts, static r => r.JitStartMillis, static r => r.CompositeStartMillis, static r => r.AotStartMillis),
                EchoBuildFigures.MedianOf(log.PluginStarts, static r => r.JitRssMb, static r => r.CompositeRssMb, static r => r.AotRssMb),
                Math.Round(Median.Of(log.SupervisorRssMb), 1),
                AllocationFigures.MedianOf(log.AllocatedBytesPerDispatch, EchoEvent.PayloadBytes),
                ScaleFigures.MedianOf(log.Scale, settings.ScaleInstances, scalePlugin),
                RollFigures.Of(log.Roll),
                PayloadFigures.MedianOf(log.Payload),
                InstanceFigures.MedianOf(log.Instances),
                floorComposite is null ? null : HopFigures.MedianOf(floorComposite)),
            new RatioResults(
                Math.Round(Median.Of(p50Ratios), 3),
                Math.Round(Median.Of(embeddedRpsRatios), 3),
                Math.Round(Median.Of(eventsRpsRatios), 3),
                Math.Round(hangRecovery.Killed / hangRecovery.HangGraceMs, 3),
                floorComposite is null ? null : CompositeFloorRatios.Of(floor, floorComposite)));
    }
}

internal sealed record MachineInfo(
    int ProcessorCount,
    string Os,
    string Dotnet,
    string Timestamp,
    bool Quick,
    int Rounds,
    double? OtherCpuPctMedian,
    double? OtherCpuPctMax);

internal sealed record WorkloadInfo(string Plugin, int PayloadBytes, int LatencySamplesPerRound, int ConcurrentCallers, double ThroughputWindowSeconds);

internal sealed record ScenarioResults(
    HopFigures FloorGrpcUds,
    HopFigures Embedded,
    HopFigures EventsApi,
    DirectFigures InprocessDirect,
    HopFigures InprocessPollyTcs,
    HangRecoveryFigures HangRecoveryMs,
    EchoBuildFigures PluginStartMs,
    EchoBuildFigures PluginRssMb,
    double SupervisorRssMb,
    AllocationFigures AllocBytesPerDispatch,
    [property: JsonPropertyName(ScenarioNames.Scale)] ScaleFigures Scale100,
    RollFigures Roll,
    IReadOnlyList<PayloadFigures> Payload,
    IReadOnlyList<InstanceFigures> Instances,
    HopFigures? FloorGrpcUdsComposite);

/// <summary>
/// A hop's medians; <paramref name="CpuUsPerCall"/> is the whole process tree's CPU per call and
/// <paramref name="CpuUsPerCallBy"/> its parts, each part's median over the rounds (see <see cref="HopRound"/>).
/// </summary>
internal sealed record HopFigures(double P50Us, double P99Us, double RpsC16, double? CpuUsPerCall, CpuSplit? CpuUsPerCallBy)
{
    public static HopFigures MedianOf(IReadOnlyList<HopRound> rounds)
    {
        var p50 = new double[rounds.Count];
        var p99 = new double[rounds.Count];
        var rps = new double[rounds.Count];
        for (var i = 0; i < rounds.Count; i++)
        {
            p50[i] = rounds[i].P50Micros;
            p99[i] = rounds[i].P99Micros;
            rps[i] = rounds[i].RequestsPerSecond;
        }

        double[] cpu = [.. rounds.Select(r => r.CpuMicrosPerCall).OfType<double>()];
        return new HopFigures(Math.Round(Median.Of(p50), 1), Math.Round(Median.Of(p99), 1), Math.Round(Median.Of(rps)), cpu.Length == 0 ? null : Math.Round(Median.Of(cpu), 1), CpuSplit.MedianOf(rounds.Select(r => r.CpuSplit)));
    }
}

internal sealed record DirectFigures(double NsPerCall);

/// <summary>Rolling echo to 2.0.0 and back under steady load: failed calls in all rounds (target 0), and p99 while rolling over steady p99 (target at most 2).</summary>
internal sealed record RollFigures(int Failed, int Calls, double P99Ratio, double SteadyP99Us, double RollP99Us, double RollS)
{
    public static RollFigures Of(IReadOnlyList<RollRound> rounds) => new(
        rounds.Sum(r => r.Failed),
        rounds.Sum(r => r.Calls),
        Math.Round(Median.Of([.. rounds.Select(r => r.RollP99Micros / r.SteadyP99Micros)]), 3),
        Math.Round(Median.Of([.. rounds.Select(r => r.SteadyP99Micros)]), 1),
        Math.Round(Median.Of([.. rounds.Select(r => r.RollP99Micros)]), 1),
        Math.Round(Median.Of([.. rounds.Select(r => r.RollSeconds)]), 2));
}

/// <summary>Milliseconds from a hung call's deadline until its process was reported killed, and until a replacement served a call.</summary>
internal sealed record HangRecoveryFigures(double Killed, double Serving, double HangGraceMs)
{
    public static HangRecoveryFigures MedianOf(IReadOnlyList<HangRecoveryRound> rounds, TimeSpan hangGrace)
    {
        var killed = new double[rounds.Count];
        var serving = new double[rounds.Count];
        for (var i = 0; i < rounds.Count; i++)
        {
            killed[i] = rounds[i].KilledMillis;
            serving[i] = rounds[i].ServingMillis;
        }

        return new HangRecoveryFigures(Math.Round(Median.Of(killed), 1), Math.Round(Median.Of(serving), 1), hangGrace.TotalMilliseconds);
    }
}

/// <param name="HangKilledOverGrace">The median kill time over HangGrace; the target is HangGrace + 100 ms at most.</param>
/// <param name="CompositeFloor">The template's publish against the framework-dependent echo, where echo-composite is published.</param>
internal sealed record RatioResults(double EmbeddedP50OverFloor, double EmbeddedRpsOverFloor, double EventsRpsOverFloor, double HangKilledOverGrace, CompositeFloorRatios? CompositeFloor);

/// <summary>
/// The floor's hop to the echo published as the template publishes a plugin, over the same hop to the
/// framework-dependent echo: medians of per-round ratios, so what one publish costs per call against the other.
/// </summary>
internal sealed record CompositeFloorRatios(double P50, double Rps, double? CpuPerCall)
{
    public static CompositeFloorRatios Of(IReadOnlyList<HopRound> floor, IReadOnlyList<HopRound> composite)
    {
        var rounds = Math.Min(floor.Count, composite.Count);
        var p50 = new double[rounds];
        var rps = new double[rounds];
        var cpu = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            p50[i] = composite[i].P50Micros / floor[i].P50Micros;
            rps[i] = composite[i].RequestsPerSecond / floor[i].RequestsPerSecond;
            if (composite[i].CpuMicrosPerCall is { } compositeCpu && floor[i].CpuMicrosPerCall is { } floorCpu)
            {
                cpu.Add(compositeCpu / floorCpu);
            }
        }

        return new CompositeFloorRatios(Math.Round(Median.Of(p50), 3), Math.Round(Median.Of(rps), 3), cpu.Count == 0 ? null : Math.Round(Median.Of(cpu), 3));
    }
}
