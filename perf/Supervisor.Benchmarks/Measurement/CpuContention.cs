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

    /// <summary>CPU ticks so far: the whole machine's busy and total, and this process tree's.</summary>
    internal readonly record struct Sample(long MachineBusy, long MachineTotal, long Tree);

    /// <summary>Takes a sample; <see langword="null"/> where <c>/proc</c> is not readable.</summary>
    public static Sample? Take()
    {
        try
        {
            var (busy, total) = ReadMachine();
            return new Sample(busy, total, ReadTree(Environment.ProcessId));
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
    // their parent's cutime/cstime, so a child that exits between samples is not lost.
    private static long ReadTree(int root)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
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
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        long sum = 0;
        foreach (var (pid, own) in ticks)
        {
            for (var current = pid; current > 1; current = parents.GetValueOrDefault(current))
            {
                if (current == root)
                {
                    sum += own;
                    break;
                }
            }
        }

        return sum;
    }
}
