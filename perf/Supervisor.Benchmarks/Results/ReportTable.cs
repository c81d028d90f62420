using System.Globalization;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Results;

/// <summary>The report at a glance, for a person reading the terminal rather than the JSON.</summary>
internal static class ReportTable
{
    public static string Format(BenchmarkReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var s = report.Scenarios;
        var r = report.Ratios;
        var lines = new List<string>
        {
            string.Create(c, $"{report.Workload.Plugin}, {report.Workload.PayloadBytes} B payload, median of {report.Machine.Rounds} round(s){(report.Machine.Quick ? " (quick)" : string.Empty)}"),
            string.Create(c, $"{"scenario",-18} {"p50 us",10} {"p99 us",10} {"rps c16",10}"),
            Row(c, ScenarioNames.Floor, s.FloorGrpcUds),
            Row(c, ScenarioNames.Embedded, s.Embedded),
            Row(c, ScenarioNames.EventsApi, s.EventsApi),
            string.Create(c, $"{ScenarioNames.InProcessDirect,-18} {s.InprocessDirect.NsPerCall,10:0.0} ns per call"),
            string.Create(c, $"embedded/floor: p50 x{r.EmbeddedP50OverFloor:0.000}, rps x{r.EmbeddedRpsOverFloor:0.000}; events/floor: rps x{r.EventsRpsOverFloor:0.000}"),
            string.Create(c, $"{ScenarioNames.HangRecovery,-18} killed {s.HangRecoveryMs.Killed:0.0} ms, serving {s.HangRecoveryMs.Serving:0.0} ms after the deadline (HangGrace {s.HangRecoveryMs.HangGraceMs:0} ms; killed/grace x{r.HangKilledOverGrace:0.000})"),
        };
        if (report.Machine.OtherCpuPctMedian is { } median)
        {
            lines.Add(string.Create(c, $"other processes used {median:0}% of the CPU in a median round (max {report.Machine.OtherCpuPctMax:0}%); above a few percent, treat the figures as noisy"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Row(CultureInfo c, string name, HopFigures f) =>
        string.Create(c, $"{name,-18} {f.P50Us,10:0.0} {f.P99Us,10:0.0} {f.RpsC16,10:0}");
}
