using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Results;

/// <summary>The report at a glance, for a person reading the terminal rather than the JSON.</summary>
internal static class ReportTable
{
    // Wide enough for the longest hop's name (floor_grpc_uds_composite).
    private const int NameWidth = 25;

    public static string Format(BenchmarkReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var s = report.Scenarios;
        var r = report.Ratios;
        string[] compositeRow = s.FloorGrpcUdsComposite is { } composite ? [Row(c, ScenarioNames.FloorComposite, composite)] : [];
        string[] compositeRatio = r.CompositeFloor is { } ratio ? [Describe(c, ratio)] : [];
        List<string> lines =
        [
            string.Create(c, $"{report.Workload.Plugin}, {report.Workload.PayloadBytes} B payload, median of {report.Machine.Rounds} round(s){(report.Machine.Quick ? " (quick)" : string.Empty)}"),
            string.Create(c, $"{"scenario",-NameWidth} {"p50 us",10} {"p99 us",10} {"rps c16",10} {"cpu us/call",12}  (this process/hosts/plugins)"),
            Row(c, ScenarioNames.Floor, s.FloorGrpcUds),
            Row(c, ScenarioNames.Embedded, s.Embedded),
            Row(c, ScenarioNames.EventsApi, s.EventsApi),
            .. compositeRow,
            Row(c, ScenarioNames.InProcessPollyTcs, s.InprocessPollyTcs),
            string.Create(c, $"{ScenarioNames.InProcessDirect,-18} {s.InprocessDirect.NsPerCall,10:0.0} ns per call"),
            string.Create(c, $"embedded/floor: p50 x{r.EmbeddedP50OverFloor:0.000}, rps x{r.EmbeddedRpsOverFloor:0.000}; events/floor: rps x{r.EventsRpsOverFloor:0.000}"),
            string.Create(c, $"{ScenarioNames.HangRecovery,-18} killed {s.HangRecoveryMs.Killed:0.0} ms, serving {s.HangRecoveryMs.Serving:0.0} ms after the deadline (HangGrace {s.HangRecoveryMs.HangGraceMs:0} ms; killed/grace x{r.HangKilledOverGrace:0.000})"),
            string.Create(c, $"{ScenarioNames.PluginStart,-18} jit {s.PluginStartMs.Jit:0.0} ms, composite {Build(c, s.PluginStartMs.Composite, "echo-composite")} ms, aot {Build(c, s.PluginStartMs.Aot, "echo-aot")} ms to the first reply"),
            string.Create(c, $"{ScenarioNames.PluginRss,-18} jit {s.PluginRssMb.Jit:0.0} MiB, composite {Build(c, s.PluginRssMb.Composite, "echo-composite")} MiB, aot {Build(c, s.PluginRssMb.Aot, "echo-aot")} MiB idle"),
            .. compositeRatio,
            string.Create(c, $"{ScenarioNames.SupervisorRss,-18} {s.SupervisorRssMb:0.0} MiB idle (the host process alone, echo x2 and chaos x1 running)"),
            string.Create(c, $"{ScenarioNames.AllocationPerDispatch,-18} {s.AllocBytesPerDispatch.BeyondPayload:0} B beyond the {s.AllocBytesPerDispatch.Payload} B payload ({s.AllocBytesPerDispatch.Total:0} B in all)"),
            $"{ScenarioNames.Scale,-18} {s.Scale100.Describe()}",
            string.Create(c, $"{ScenarioNames.Roll,-18} {s.Roll.Failed} of {s.Roll.Calls} calls failed; p99 rolling/steady x{s.Roll.P99Ratio:0.000} ({s.Roll.RollP99Us:0} / {s.Roll.SteadyP99Us:0} us; {s.Roll.RollS:0.00} s to 2.0.0 and back)"),
        ];
        lines.Add(string.Create(c, $"{ScenarioNames.Payload,-18} {"p50 us floor/embedded/events",-30} {"rps c16 floor/embedded/events",-30} B beyond the payload: embedded, events host"));
        foreach (var p in s.Payload)
        {
            lines.Add(string.Create(c, $"{Size(p.Bytes),18} {$"{p.FloorGrpcUds.P50Us:0}/{p.Embedded.P50Us:0}/{p.EventsApi.P50Us:0}",-30} {$"{p.FloorGrpcUds.RpsC16:0}/{p.Embedded.RpsC16:0}/{p.EventsApi.RpsC16:0}",-30} {p.AllocBytesPerDispatch.BeyondPayload:0}, {p.EventsHostAllocBytesPerDispatch.BeyondPayload:0} (rps over floor: embedded x{p.EmbeddedRpsOverFloor:0.000}, events x{p.EventsRpsOverFloor:0.000})"));
        }

        lines.Add(string.Create(c, $"{ScenarioNames.Instances,-18} embedded, calls spread over N echo instances:"));
        foreach (var i in s.Instances)
        {
            lines.Add(string.Create(c, $"{$"x{i.Instances}",18} p50 {i.Embedded.P50Us:0.0} us, {i.Embedded.RpsC16:0} rps (x{i.RpsOverOneInstance:0.000} one instance's), {(i.Embedded.CpuUsPerCall is { } cpu ? cpu.ToString("0.0", c) : "-")} cpu us/call{Parts(c, i.Embedded.CpuUsPerCallBy)}"));
        }

        if (report.Machine.OtherCpuPctMedian is { } median)
        {
            lines.Add(string.Create(c, $"other processes used {median:0}% of the CPU in a median round (max {report.Machine.OtherCpuPctMax:0}%); above a few percent, treat the figures as noisy"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Build(CultureInfo c, double? figure, string plugin) =>
        figure is { } value ? value.ToString("0.0", c) : $"n/a ({plugin} not published)";

    private static string Describe(CultureInfo c, CompositeFloorRatios ratio) =>
        string.Create(c, $"echo-composite (the template's publish) over echo on the floor's hop: p50 x{ratio.P50:0.000}, rps x{ratio.Rps:0.000}, cpu per call x{(ratio.CpuPerCall is { } cpu ? cpu.ToString("0.000", c) : "-")}");

    private static string Size(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";

    private static string Row(CultureInfo c, string name, HopFigures f) =>
        string.Create(c, $"{name,-NameWidth} {f.P50Us,10:0.0} {f.P99Us,10:0.0} {f.RpsC16,10:0} {(f.CpuUsPerCall is { } cpu ? cpu.ToString("0.0", c) : "-"),12}{Parts(c, f.CpuUsPerCallBy)}");

    private static string Parts(CultureInfo c, CpuSplit? split) =>
        split is { } s ? string.Create(c, $"  ({s.Callers:0.0}/{s.Hosts:0.0}/{s.Plugins:0.0})") : string.Empty;
}
