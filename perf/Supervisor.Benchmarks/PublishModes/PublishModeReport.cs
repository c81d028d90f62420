using System.Globalization;
using System.Runtime.InteropServices;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;

namespace Supervisor.Benchmarks.PublishModes;

/// <summary>The publish-mode results file: per build, medians across rounds and ratios to the first build's figures in the same round.</summary>
/// <param name="Machine">The machine; its rounds are the load rounds.</param>
/// <param name="StartRounds">Cold starts of each build.</param>
internal sealed record PublishModeReport(MachineInfo Machine, int StartRounds, string Plugin, IReadOnlyList<PublishModeFigures> Modes)
{
    public static PublishModeReport Create(BenchmarkSettings settings, PublishModeLog log, IReadOnlyList<HostBuild> builds, string plugin, DateTimeOffset startedAt)
    {
        var baseline = builds[0].Mode;
        var modes = new List<PublishModeFigures>(builds.Count);
        foreach (var build in builds)
        {
            var starts = log.Starts.Where(s => s.Mode == build.Mode).Select(s => s.Figures).ToList();
            var load = log.EventsApi.Where(r => r.Mode == build.Mode).ToList();
            var baselineLoad = log.EventsApi.Where(r => r.Mode == baseline).ToDictionary(r => r.Round, r => r.Figures);
            modes.Add(new PublishModeFigures(
                build.Mode,
                build.Executable,
                Round1(starts.Select(s => s.ListeningMillis)),
                Round1(starts.Select(s => s.ReadyMillis)),
                Round1(starts.Select(s => s.FirstReplyMillis)),
                Round1(starts.Select(s => s.IdleRssMb)),
                HopFigures.MedianOf([.. load.Select(r => r.Figures)]),
                Math.Round(log.RssAfterLoadMb[build.Mode], 1),
                Math.Round(Median.Of([.. load.Select(r => r.Figures.P50Micros / baselineLoad[r.Round].P50Micros)]), 3),
                Math.Round(Median.Of([.. load.Select(r => r.Figures.RequestsPerSecond / baselineLoad[r.Round].RequestsPerSecond)]), 3)));
        }

        return new PublishModeReport(
            new MachineInfo(
                Environment.ProcessorCount,
                RuntimeInformation.OSDescription,
                RuntimeInformation.FrameworkDescription,
                startedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                settings.Quick,
                settings.Rounds,
                log.OtherCpuPercent.Count == 0 ? null : Math.Round(Median.Of(log.OtherCpuPercent), 1),
                log.OtherCpuPercent.Count == 0 ? null : Math.Round(log.OtherCpuPercent.Max(), 1)),
            settings.PluginStartRounds,
            plugin,
            modes);
    }

    /// <summary>The report at a glance, for the terminal.</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(c, $"supervisor host builds, events API to {Plugin}, 1 KiB echo; medians of {StartRounds} cold start(s) and {Machine.Rounds} load round(s){(Machine.Quick ? " (quick)" : string.Empty)}"),
            string.Create(c, $"{"mode",-6} {"listening",10} {"ready",8} {"1st reply",10} {"idle MiB",9} {"p50 us",8} {"rps c16",8} {"p50/" + Modes[0].Mode,9} {"rps/" + Modes[0].Mode,9} {"MiB loaded",11}"),
        };
        foreach (var m in Modes)
        {
            lines.Add(string.Create(c, $"{m.Mode,-6} {m.StartToListeningMs,10:0} {m.StartToReadyMs,8:0} {m.StartToFirstReplyMs,10:0} {m.IdleRssMb,9:0.0} {m.EventsApi.P50Us,8:0} {m.EventsApi.RpsC16,8:0} {m.P50OverFirst,9:0.000} {m.RpsOverFirst,9:0.000} {m.RssAfterLoadMb,11:0.0}"));
        }

        if (Machine.OtherCpuPctMedian is { } median)
        {
            lines.Add(string.Create(c, $"other processes used {median:0}% of the CPU in a median load round (max {Machine.OtherCpuPctMax:0}%); above a few percent, treat the figures as noisy"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static double Round1(IEnumerable<double> values) => Math.Round(Median.Of([.. values]), 1);
}

/// <summary>
/// One host build: milliseconds from the process start to listening, to its ready line and to a first reply; idle
/// and loaded resident MiB; events API figures, and their ratios to the first build's in the same rounds.
/// </summary>
internal sealed record PublishModeFigures(
    string Mode,
    string Executable,
    double StartToListeningMs,
    double StartToReadyMs,
    double StartToFirstReplyMs,
    double IdleRssMb,
    HopFigures EventsApi,
    double RssAfterLoadMb,
    double P50OverFirst,
    double RpsOverFirst);
