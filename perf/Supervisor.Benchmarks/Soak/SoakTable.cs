using System.Globalization;

namespace Supervisor.Benchmarks.Soak;

/// <summary>The soak report at a glance, for the terminal.</summary>
internal static class SoakTable
{
    public static string Format(SoakReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var load = r.Load;
        var lines = new List<string>
        {
            string.Create(c, $"soak: {r.DurationMinutes} minute(s) on {r.Cpus} CPU(s); {load.EchoCallers} echo callers (deadline {load.EchoDeadlineMs:0} ms, echo's configured default) and {load.ChaosCallers} chaos callers ({load.ChaosDeadlineMs} ms)"),
            string.Create(c, $"calls: {r.Calls}; a definite answer within deadline + {r.LateMarginMs:0} ms: {r.DefiniteInTimePct:0.000}% ({r.Calls - r.DefiniteInTime} late or unanswered)"),
            string.Create(c, $"{"plugin",-8} {"calls",8} {"late",6} {"no answer",9} {"worst vs deadline",18}  statuses"),
        };
        foreach (var (plugin, figures) in r.PerPlugin)
        {
            var statuses = string.Join(", ", figures.Statuses.Select(s => string.Create(c, $"{s.Key} {s.Value}")));
            lines.Add(string.Create(c, $"{plugin,-8} {figures.Calls,8} {figures.Late,6} {figures.Unanswered,9} {figures.WorstPastDeadlineMs,15:+0;-0} ms  {statuses}"));
            foreach (var (status, message) in figures.FirstMessages)
            {
                lines.Add($"  {plugin} {status}, first: {Shorten(message)}");
            }
        }

        lines.Add("echo OK per phase (by when the call started):");
        foreach (var phase in r.Phases)
        {
            lines.Add(string.Create(c, $"  {phase.Phase} ({phase.FromS:0}-{phase.ToS:0} s): {phase.EchoOkPct:0.000}% of {phase.EchoCalls}"));
        }

        foreach (var late in r.LateExamples)
        {
            lines.Add(string.Create(c, $"  late: at {late.AtS:0.0} s {late.Plugin} '{late.Event}' {late.Status}, deadline {late.DeadlineMs:0} ms, answered after {late.WallMs:0} ms"));
        }

        var admin = r.Admin;
        lines.Add(string.Create(c, $"admin: {admin.InstanceKills} single-instance kills, {admin.PluginKills} whole-plugin kills ({load.PluginKillEveryS:0} s apart from {load.PluginKillsFromS:0} s), {admin.InstancesKilled} processes killed"));
        foreach (var (what, count) in admin.Errors)
        {
            lines.Add(string.Create(c, $"  {what}: {count}"));
        }

        foreach (var roll in admin.Rolls)
        {
            lines.Add(string.Create(c, $"  roll at {roll.AtS:0} s: echo {roll.From} -> {roll.To} {roll.Outcome} ({roll.Seconds:0.00} s)"));
        }

        lines.Add(string.Create(c, $"{"minute",6} {"at s",6} {"RSS MiB",8} {"fds",5} {"threads",7} {"plugins",7} {"orphans",7} {"zombies",12} {"calls",7} {"late",5} {"other CPU",9}"));
        foreach (var s in r.Samples)
        {
            var other = s.OtherCpuPct is { } pct ? pct.ToString("0", c) + "%" : "n/a";
            lines.Add(string.Create(c, $"{s.Minute,6} {s.AtS,6:0} {s.RssMb,8:0.0} {s.Fds,5} {s.Threads,7} {s.PluginProcesses,7} {s.Orphans.Count,7} {s.ZombieChildren + " (" + s.LingeringZombies + " 1 s)",12} {s.Calls,7} {s.Late,5} {other,9}"));
            foreach (var (plugin, state) in s.Plugins)
            {
                lines.Add($"       {plugin}: {state}");
            }

            foreach (var orphan in s.Orphans)
            {
                lines.Add($"       orphan: {orphan}");
            }
        }

        lines.Add("plugin processes left once the host had exited: " + (r.LeftAtHostExit.Count == 0 ? "none" : string.Join(", ", r.LeftAtHostExit))
            + (r.LeftAfterGrace.Count == 0 ? string.Empty : "; still alive after the grace, killed by the soak: " + string.Join(", ", r.LeftAfterGrace)));
        lines.Add("targets:");
        foreach (var target in r.Targets)
        {
            var mark = target.Met switch { true => "met   ", false => "MISSED", null => "n/a   " };
            lines.Add($"  [{mark}] {target.Target}: {target.Actual}" + (target.Note is null ? string.Empty : $" ({target.Note})"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    // One line each in the terminal; the JSON keeps the whole message.
    private static string Shorten(string message)
    {
        const int Limit = 200;
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= Limit ? line : line[..Limit] + "…";
    }
}
