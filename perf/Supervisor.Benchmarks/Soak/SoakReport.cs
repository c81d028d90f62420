using System.Globalization;
using System.Runtime.InteropServices;

namespace Supervisor.Benchmarks.Soak;

/// <summary>The soak's results file (<c>artifacts/bench/soak.json</c>): the load, what came of each call, the per-minute readings and the verdicts.</summary>
/// <param name="LateMarginMs">How far past its deadline a call may be answered and still count as answered in time.</param>
/// <param name="DefiniteInTime">Calls answered with any gRPC status within deadline plus the margin.</param>
/// <param name="LeftAtHostExit">Plugin processes alive when the host had exited, as "pid (parent ppid)".</param>
/// <param name="LeftAfterGrace">Those still alive a moment later; the soak killed them.</param>
internal sealed record SoakReport(
    string StartedAt,
    int Cpus,
    string Os,
    int DurationMinutes,
    SoakLoad Load,
    double LateMarginMs,
    long Calls,
    long DefiniteInTime,
    double? DefiniteInTimePct,
    IReadOnlyDictionary<string, PluginCallFigures> PerPlugin,
    IReadOnlyList<PhaseFigures> Phases,
    IReadOnlyList<LateCall> LateExamples,
    AdminFigures Admin,
    IReadOnlyList<MinuteSample> Samples,
    IReadOnlyList<string> LeftAtHostExit,
    IReadOnlyList<string> LeftAfterGrace,
    IReadOnlyList<TargetVerdict> Targets)
{
    public static SoakReport Create(SoakSettings settings, DateTimeOffset startedAt, CallTally tally, AdminFigures admin, IReadOnlyList<MinuteSample> samples, IReadOnlyList<string> leftAtExit, IReadOnlyList<string> leftAfterGrace)
    {
        var (calls, late) = tally.Totals();
        var half = settings.PluginKillPhaseStart.TotalSeconds;
        var phases = new List<PhaseFigures>(2)
        {
            Phase(tally, SoakPhase.InstanceKills, "single instances killed", 0, half),
            Phase(tally, SoakPhase.PluginKills, "whole plugins killed every " + settings.PluginKillInterval.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s", half, settings.Duration.TotalSeconds),
        };
        var report = new SoakReport(
            startedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            settings.Minutes,
            SoakLoad.From(settings),
            settings.LateMargin.TotalMilliseconds,
            calls,
            calls - late,
            Percent(calls - late, calls),
            tally.PerPlugin(),
            phases,
            tally.LateExamplesSoFar(),
            admin,
            samples,
            leftAtExit,
            leftAfterGrace,
            []);
        return report with { Targets = SoakTargets.Judge(settings, report) };
    }

    /// <summary>A percentage to three decimals (99.9% targets need them); null for no calls.</summary>
    public static double? Percent(long part, long whole) => whole == 0 ? null : Math.Round(100.0 * part / whole, 3);

    private static PhaseFigures Phase(CallTally tally, SoakPhase phase, string name, double from, double to)
    {
        var (calls, ok) = tally.Echo(phase);
        return new PhaseFigures(name, from, to, calls, ok, Percent(ok, calls));
    }
}

/// <summary>The load the soak ran, as the report records it.</summary>
internal sealed record SoakLoad(
    int EchoCallers,
    int ChaosCallers,
    double EchoDeadlineMs,
    string ChaosDeadlineMs,
    double EchoPauseMs,
    double ChaosPauseMs,
    double InstanceKillEveryS,
    double PluginKillEveryS,
    double PluginKillsFromS,
    double RollEveryS)
{
    public static SoakLoad From(SoakSettings s) => new(
        s.EchoCallers,
        s.ChaosCallers,
        s.EchoDeadline.TotalMilliseconds,
        string.Create(CultureInfo.InvariantCulture, $"{s.ChaosMinDeadline.TotalMilliseconds:0}-{s.ChaosMaxDeadline.TotalMilliseconds:0}"),
        s.EchoPause.TotalMilliseconds,
        s.ChaosPause.TotalMilliseconds,
        s.InstanceKillInterval.TotalSeconds,
        s.PluginKillInterval.TotalSeconds,
        s.PluginKillPhaseStart.TotalSeconds,
        s.RollInterval.TotalSeconds);
}
