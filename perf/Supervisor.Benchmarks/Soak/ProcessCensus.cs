using System.Globalization;
using System.Text;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The processes around one supervisor host, from <c>/proc</c>: its plugin processes (found by the handshake
/// environment the host gave them: an address under the soak's runtime directory), which of them have lost the host
/// as an ancestor (orphans), and its children that exited without being reaped (zombies).
/// </summary>
internal sealed class ProcessCensus
{
    private readonly string _addressPrefix;

    /// <param name="runtimeDirectory">The host's <c>RuntimeDirectory</c>; no other host's plugins have addresses there.</param>
    public ProcessCensus(string runtimeDirectory) => _addressPrefix = "SUPERVISOR_PLUGIN_ADDRESS=unix://" + runtimeDirectory;

    /// <summary>A reading of the processes at one moment.</summary>
    /// <param name="Plugins">Live plugin processes, pid to parent pid.</param>
    /// <param name="ZombieChildren">The host's children in state Z.</param>
    internal sealed record Reading(IReadOnlyDictionary<int, int> Plugins, IReadOnlyList<string> Orphans, IReadOnlyList<int> ZombieChildren);

    /// <param name="hostPid">The host; 0 once it has exited (every plugin process left is then an orphan).</param>
    public Reading Take(int hostPid)
    {
        var parents = new Dictionary<int, int>();
        var plugins = new SortedDictionary<int, int>();
        var zombies = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            parents[pid] = stat.Parent;
            if (stat.State == 'Z')
            {
                // A zombie's environment is gone; it is counted against its parent instead.
                if (hostPid != 0 && stat.Parent == hostPid)
                {
                    zombies.Add(pid);
                }
            }
            else if (IsPlugin(pid))
            {
                plugins[pid] = stat.Parent;
            }
        }

        var orphans = new List<string>();
        foreach (var (pid, parent) in plugins)
        {
            if (!DescendsFrom(pid, hostPid, parents))
            {
                orphans.Add(string.Create(CultureInfo.InvariantCulture, $"{pid} (parent {parent})"));
            }
        }

        return new Reading(plugins, orphans, zombies);
    }

    /// <summary>Whether <paramref name="pid"/> is still an unreaped child of <paramref name="hostPid"/>.</summary>
    public static bool IsZombieOf(int pid, int hostPid) => ReadStat(pid) is { State: 'Z' } stat && stat.Parent == hostPid;

    private static bool DescendsFrom(int pid, int ancestor, Dictionary<int, int> parents)
    {
        // Bounded: a pid reused between the /proc reads could in theory form a loop.
        for (var hops = 0; hops < 64 && ancestor != 0 && parents.TryGetValue(pid, out var parent); hops++)
        {
            if (parent == ancestor)
            {
                return true;
            }

            pid = parent;
        }

        return false;
    }

    private bool IsPlugin(int pid)
    {
        try
        {
            // NUL-separated NAME=value entries; readable for processes of the same user (or as root).
            var environment = File.ReadAllBytes($"/proc/{pid}/environ");
            foreach (var entry in Encoding.UTF8.GetString(environment).Split('\0'))
            {
                if (entry.StartsWith(_addressPrefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone since the directory was listed, or another user's.
        }

        return false;
    }

    /// <summary>State and parent from <c>/proc/PID/stat</c>: "pid (comm) S ppid …", comm possibly holding spaces or parentheses.</summary>
    private static (char State, int Parent)? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ', 3);
            return (fields[0][0], int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
