using System.Globalization;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// How much of the machine's CPU went to anything other than this benchmark and its child processes (other
/// processes, and time the hypervisor stole), from <c>/proc</c>. On a shared VM this is what tells a real
/// regression from a neighbour's build; the load average cannot, since it also counts the benchmark itself.
/// </summary>
internal static class CpuContention
{
    // /proc counts CPU time in USER_HZ ticks, 100 a second on Linux.
    private const double MicrosPerTick = 10_000;

    /// <summary>
    /// CPU ticks so far: the whole machine's busy and total, and this process tree's, with the tree's own share of this
    /// process and of the supervisor hosts in it (their own threads only: what their children used, reaped or not, is
    /// the tree's rest, the plugins and their sandbox programs).
    /// </summary>
    internal readonly record struct Sample(long MachineBusy, long MachineTotal, long Tree, long Own, long Hosts);

    /// <summary>Takes a sample; <see langword="null"/> where <c>/proc</c> is not readable.</summary>
    public static Sample? Take()
    {
        try
        {
            var (busy, total) = ReadMachine();
            var (tree, own, hosts) = ReadTree(Environment.ProcessId);
            return new Sample(busy, total, tree, own, hosts);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The percentage of the machine's capacity used outside this process tree between two samples.</summary>
    public static double? OtherPercent(Sample? start, Sample? end)
    {
        if (start is not { } a || end is not { } b || b.MachineTotal <= a.MachineTotal)
        {
            return null;
        }

        var other = (b.MachineBusy - a.MachineBusy) - (b.Tree - a.Tree);
        return Math.Max(0, 100.0 * other / (b.MachineTotal - a.MachineTotal));
    }

    /// <summary>
    /// This process tree's CPU per call between two samples that enclose <paramref name="calls"/> calls (the ramp's
    /// too: a window's CPU is counted with its ramp, at the same rate).
    /// </summary>
    public static double? TreeMicrosPerCall(Sample? start, Sample? end, double calls)
    {
        if (start is not { } a || end is not { } b || calls <= 0)
        {
            return null;
        }

        return (b.Tree - a.Tree) * MicrosPerTick / calls;
    }

    /// <summary>
    /// The tree's CPU per call between two samples split by who spent it: this process (the callers, and the
    /// supervisor where it is embedded), the supervisor hosts (the events API's two hops) and the plugins with their
    /// sandbox programs. Where a hop's time goes, which the tree's total cannot tell.
    /// </summary>
    public static CpuSplit? SplitMicrosPerCall(Sample? start, Sample? end, double calls)
    {
        if (start is not { } a || end is not { } b || calls <= 0)
        {
            return null;
        }

        var own = (b.Own - a.Own) * MicrosPerTick / calls;
        var hosts = (b.Hosts - a.Hosts) * MicrosPerTick / calls;
        var tree = (b.Tree - a.Tree) * MicrosPerTick / calls;
        return new CpuSplit(own, hosts, Math.Max(0, tree - own - hosts));
    }

    /// <summary>
    /// The whole machine's busy CPU seconds between two samples. Beside <see cref="TreeSeconds"/> where the tree has
    /// many short-lived processes: <c>/proc</c> gives each process's user and system time in whole ticks, each cut off,
    /// so every process loses up to two ticks (20 ms) in the tree's sum; the machine's total loses nothing that way but
    /// counts other processes too.
    /// </summary>
    public static double? MachineSeconds(Sample? start, Sample? end) =>
        start is { } a && end is { } b ? (b.MachineBusy - a.MachineBusy) * MicrosPerTick / 1e6 : null;

    /// <summary>This process tree's CPU seconds between two samples.</summary>
    public static double? TreeSeconds(Sample? start, Sample? end) =>
        start is { } a && end is { } b ? (b.Tree - a.Tree) * MicrosPerTick / 1e6 : null;

    // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is
    // already inside user).
    private static (long Busy, long Total) ReadMachine()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = (reader.ReadLine() ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        var idle = Field(4) + Field(5);
        var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return (busy, busy + idle);
    }

    // Sums this process and every descendant (plugins, the host and its plugins). Reaped children's time is in
    // their parent's cutime/cstime, so a child that exits between samples is not lost. Own and Hosts count only the
    // utime and stime of this process and of the descendants running the supervisor host's executable.
    private static (long Tree, long Own, long Hosts) ReadTree(int root)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        var ownTicks = new Dictionary<int, long>();
        var hostPids = new HashSet<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // Exited while we looked.
            }

            // The command name may contain spaces and parentheses; the fields after the last ')' do not.
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            ownTicks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            ticks[pid] = ownTicks[pid] + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            if (open >= 0 && stat.AsSpan(open + 1, close - open - 1).SequenceEqual(BenchmarkPaths.SupervisorExecutableName))
            {
                hostPids.Add(pid);
            }
        }

        long sum = 0;
        long hosts = 0;
        foreach (var (pid, own) in ticks)
        {
            for (var current = pid; current > 1; current = parents.GetValueOrDefault(current))
            {
                if (current == root)
                {
                    sum += own;
                    if (pid != root && hostPids.Contains(pid))
                    {
                        hosts += ownTicks[pid];
                    }

                    break;
                }
            }
        }

        return (sum, ownTicks.GetValueOrDefault(root), hosts);
    }
}
