namespace Supervisor.Sandbox.Cgroups;

/// <summary>One mounted cgroup hierarchy, read from <c>/proc/self/mountinfo</c>.</summary>
/// <param name="MountPoint">Where it is mounted.</param>
/// <param name="Root">The cgroup the mount shows as its top (not <c>/</c> inside some containers).</param>
/// <param name="IsV2">Whether it is the unified (v2) hierarchy.</param>
/// <param name="Controllers">The v1 controllers bound to it; empty for v2.</param>
internal sealed record CgroupMount(string MountPoint, string Root, bool IsV2, IReadOnlyList<string> Controllers)
{
    /// <summary>The mounted hierarchies.</summary>
    public static IReadOnlyList<CgroupMount> Read(string mountInfo = "/proc/self/mountinfo")
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in File.ReadLines(mountInfo))
        {
            // "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu"
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var fields = line[..separator].Split(' ');
            var tail = line[(separator + 3)..].Split(' ');
            if (fields.Length < 5 || tail.Length < 3)
            {
                continue;
            }

            var root = Unescape(fields[3]);
            var mountPoint = Unescape(fields[4]);
            if (tail[0] == "cgroup2")
            {
                mounts.Add(new CgroupMount(mountPoint, root, IsV2: true, []));
            }
            else if (tail[0] == "cgroup")
            {
                var controllers = tail[2].Split(',').Where(o => o is "cpu" or "cpuacct" or "memory" or "pids").ToArray();
                if (controllers.Length > 0)
                {
                    mounts.Add(new CgroupMount(mountPoint, root, IsV2: false, controllers));
                }
            }
        }

        return mounts;
    }

    /// <summary>
    /// The folder of this process's own cgroup in this hierarchy, given its line in <c>/proc/self/cgroup</c>; null
    /// when the mount does not show it.
    /// </summary>
    public string? OwnGroup(string cgroupPath)
    {
        var relative = cgroupPath;
        if (Root != "/")
        {
            if (!cgroupPath.StartsWith(Root, StringComparison.Ordinal))
            {
                return null;
            }

            relative = cgroupPath[Root.Length..];
        }

        return Path.Combine(MountPoint, relative.TrimStart('/'));
    }

    // mountinfo escapes space, tab, newline and backslash as octal.
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
