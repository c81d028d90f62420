using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary>Human-readable tables of plugins and instances.</summary>
internal static class PluginTable
{
    private static readonly string[] PluginHeader = ["PLUGIN", "VERSION", "STATE", "READY", "CALLS", "FAILED", "TIMEOUTS", "KILLS", "P50", "P99"];
    private static readonly string[] InstanceHeader = ["INSTANCE", "VERSION", "PID", "STATE", "STARTED", "RESTARTS", "IN-FLIGHT", "CALLS", "FAILED", "CPU", "MEMORY", "UID"];

    public static void PrintPlugins(IEnumerable<PluginInfo> plugins)
    {
        var rows = new List<string[]> { PluginHeader };
        foreach (var p in plugins)
        {
            var ready = p.Instances.Count(i => i.State == InstanceState.Ready);
            rows.Add([p.Name, p.ActiveVersion, State(p.State), $"{ready}/{p.DesiredInstances}", N(p.Counters.Calls), N(p.Counters.Failures), N(p.Counters.Timeouts), N(p.Counters.Kills), Ms(p.Latency.P50), Ms(p.Latency.P99)]);
        }

        Print(rows);
    }

    public static void PrintInstances(PluginInfo plugin)
    {
        PrintPlugins([plugin]);
        if (plugin.Roll is { } roll)
        {
            Console.WriteLine();
            Console.WriteLine(RollLine(roll));
        }

        if (plugin.PreviousVersion.Length > 0)
        {
            Console.WriteLine($"previous version: {plugin.PreviousVersion} (rollback returns to it)");
        }

        Console.WriteLine();
        var rows = new List<string[]> { InstanceHeader };
        foreach (var i in plugin.Instances)
        {
            rows.Add([
                i.Id, i.Version, i.Pid.ToString(CultureInfo.InvariantCulture), State(i.State), i.StartedAt.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                N(i.Restarts), N(i.InFlight), N(i.Counters.Calls), N(i.Counters.Failures),
                i.Usage?.HasCpuSeconds == true ? i.Usage.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s" : "-",
                i.Usage?.HasMemoryBytes == true ? (i.Usage.MemoryBytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + "MiB" : "-",
                i.Sandbox?.HasUid == true ? i.Sandbox.Uid.ToString(CultureInfo.InvariantCulture) : "-",
            ]);
        }

        Print(rows);

        // The sandbox is the plugin's (every instance gets the same layers): shown once, from the first instance.
        if (plugin.Instances.FirstOrDefault()?.Sandbox is { Layers.Count: > 0 } sandbox)
        {
            Console.WriteLine();
            Console.WriteLine("sandbox (CPU and memory count every process an instance started):");
            foreach (var layer in sandbox.Layers)
            {
                Console.WriteLine($"  {layer.Name,-13} {(layer.Applied ? "applied" : "not applied")}: {layer.Detail}");
            }
        }
    }

    private static string RollLine(RollStatus roll)
    {
        var what = roll.Rollback ? "rollback" : "roll";
        var steps = roll.Steps > 0 ? $", step {roll.Step}/{roll.Steps}" : string.Empty;
        var line = $"{what} {roll.FromVersion} -> {roll.ToVersion} ({roll.Strategy.ToString().ToLowerInvariant()}): {State(roll.Phase)}, {roll.WeightPercent}% of calls on {roll.ToVersion}{steps}";
        if (roll.LastAnalysis is { } analysis)
        {
            line += $"\nlast analysis: {analysis.Summary}";
        }

        return roll.Reason.Length > 0 ? $"{line}\nreason: {roll.Reason}" : line;
    }

    private static string State(System.Enum state) => state.ToString().ToLowerInvariant();

    private static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(Duration? duration) =>
        duration is null ? "-" : duration.ToTimeSpan().TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";

    internal static void Print(List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
