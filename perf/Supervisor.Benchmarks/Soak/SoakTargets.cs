using System.Globalization;

namespace Supervisor.Benchmarks.Soak;

/// <summary>The soak's targets, each judged met or missed on a finished report.</summary>
internal static class SoakTargets
{
    private const double InstanceKillsEchoOkPct = 99.9;
    private const double PluginKillsEchoOkPct = 99.0;

    public static IReadOnlyList<TargetVerdict> Judge(SoakSettings settings, SoakReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var late = report.Calls - report.DefiniteInTime;
        var verdicts = new List<TargetVerdict>
        {
            new(
                string.Create(c, $"100% of calls get a definite answer (any gRPC status) within deadline + {settings.LateMargin.TotalSeconds:0} s"),
                string.Create(c, $"{report.DefiniteInTimePct:0.000}% ({late} of {report.Calls} late or unanswered)"),
                report.Calls > 0 && late == 0,
                report.Calls == 0 ? "no call was made" : null),
            EchoOk(report.Phases[(int)SoakPhase.InstanceKills], InstanceKillsEchoOkPct),
            EchoOk(report.Phases[(int)SoakPhase.PluginKills], PluginKillsEchoOkPct),
        };
        verdicts.Add(Flat(settings, report.Samples, "host RSS", s => s.RssMb, "0.0", " MiB"));
        verdicts.Add(Flat(settings, report.Samples, "host fd count", s => s.Fds, "0", string.Empty));

        // Not one of the numbered targets, but the spec's promise: no plugin process outlives the supervisor.
        var orphans = report.Samples.Sum(s => s.Orphans.Count);
        var zombies = report.Samples.Sum(s => s.LingeringZombies);
        verdicts.Add(new TargetVerdict(
            "no orphan or lingering zombie (unreaped 1 s after it was seen) during the run, no plugin process left once the host has exited",
            string.Create(c, $"{orphans} orphan(s) and {zombies} lingering zombie(s) over {report.Samples.Count} reading(s); {report.LeftAtHostExit.Count} left at exit, {report.LeftAfterGrace.Count} after {settings.LeftoverGrace.TotalSeconds:0} s more"),
            orphans == 0 && zombies == 0 && report.LeftAtHostExit.Count == 0,
            report.LeftAtHostExit.Count > 0 ? "left: " + string.Join(", ", report.LeftAtHostExit) : null));
        return verdicts;
    }

    private static TargetVerdict EchoOk(PhaseFigures phase, double target) => new(
        string.Create(CultureInfo.InvariantCulture, $"echo >= {target:0.0##}% OK while {phase.Phase}"),
        string.Create(CultureInfo.InvariantCulture, $"{phase.EchoOkPct:0.000}% ({phase.EchoOk} of {phase.EchoCalls})"),
        phase.EchoOkPct is { } pct ? pct >= target : null,
        phase.EchoCalls == 0 ? "no echo call started in this phase" : null);

    /// <summary>The reading at the end of the last minute against the one at the end of the first (the start of the second).</summary>
    private static TargetVerdict Flat(SoakSettings settings, IReadOnlyList<MinuteSample> samples, string what, Func<MinuteSample, double> value, string format, string unit)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"{what} flat: at the end of the last minute within {settings.FlatTolerance:P0} of the start of the second");
        if (samples.Count < 2)
        {
            return new TargetVerdict(target, "not judged", null,
                "needs a run of 2 minutes or more: the first minute's reading is the baseline (start-up is behind it) and a later one is compared with it");
        }

        var baseline = value(samples[0]);
        var last = value(samples[^1]);
        var change = baseline == 0 ? 0 : (last - baseline) / baseline;
        return new TargetVerdict(
            target,
            string.Create(CultureInfo.InvariantCulture, $"{baseline.ToString(format, CultureInfo.InvariantCulture)}{unit} -> {last.ToString(format, CultureInfo.InvariantCulture)}{unit} ({change:+0.0%;-0.0%;0.0%})"),
            Math.Abs(change) <= settings.FlatTolerance,
            null);
    }
}
