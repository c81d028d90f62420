using System.Globalization;

namespace Supervisor.Sandbox;

/// <summary>
/// A process and its descendants, read from <c>/proc</c>: the usage of an instance on a host without cgroups.
/// Less than a cgroup: a descendant that re-parented itself to init (a daemon) is no longer counted.
/// </summary>
internal static class ProcessTree
{
    // USER_HZ: what /proc reports times in, 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    // A fork bomb's tree is not worth walking whole.
    private const int MaxProcesses = 10_000;

    /// <summary>The pids of <paramref name="root"/> and everything below it.</summary>
    public static IReadOnlyList<int> Of(int root)
    {
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count && tree.Count < MaxProcesses; i++)
        {
            tree.AddRange(ChildrenOf(tree[i]));
        }

        return tree;
    }

    /// <summary>CPU time and resident memory of the tree under <paramref name="root"/>.</summary>
    public static ResourceUsage Usage(int root)
    {
        double cpu = 0;
        long memory = 0;
        var any = false;
        foreach (var pid in Of(root))
        {
            if (Stat(pid) is { } stat)
            {
                any = true;
                cpu += stat.CpuTicks / TicksPerSecond;
                memory += stat.ResidentPages * Environment.SystemPageSize;
            }
        }

        return any ? new ResourceUsage(cpu, memory) : new ResourceUsage(null, null);
    }

    // Each thread lists the children it forked (/proc/<pid>/task/<tid>/children): cheaper than reading all of /proc.
    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        children.Add(id);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited while being read.
        }

        return children;
    }

    private static (int ParentPid, long CpuTicks, long ResidentPages)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields start after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            || !long.TryParse(fields[21], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rss))
        {
            return null;
        }

        return (parent, user + system, rss);
    }
}
