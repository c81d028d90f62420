using System.Globalization;

namespace Supervisor.Sandbox.Cgroups;

/// <summary>
/// The cgroup folders this supervisor may create instance groups in: a v2 one (which always counts CPU and can kill
/// a whole group; with the cpu, memory and pids controllers where they are delegated) and v1 ones per controller.
/// A resource is taken from v2 when its controller is enabled there, else from v1: a host can have both, like this
/// project's development machines (v1 cpu, memory, pids; a v2 hierarchy without controllers).
/// </summary>
internal sealed class CgroupLayout
{
    private const string GroupPrefix = "plugin-supervisor-";

    // "<pid namespace>.<pid>": a pid means something only in its own namespace, and supervisors in other pid
    // namespaces (containers without a cgroup namespace, tests) can share a hierarchy with this one.
    private static readonly string Owner = $"{PidNamespace()}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
    private static readonly string[] V2Controllers = ["cpu", "memory", "pids"];

    private CgroupLayout(string? v2, IReadOnlySet<string> v2Controllers, IReadOnlyDictionary<string, string> v1, IReadOnlyList<string> notes, bool sharesScheduling = false)
    {
        _sharesScheduling = sharesScheduling ? 1 : 0;
        V2 = v2;
        V2Controllers_ = v2Controllers;
        V1 = v1;
        Notes = notes;
    }

    /// <summary>Gets this supervisor's v2 group folder, or <see langword="null"/> when no v2 hierarchy is writable.</summary>
    public string? V2 { get; }

    /// <summary>Gets this supervisor's v1 group folder per controller (<c>cpu</c>, <c>cpuacct</c>, <c>memory</c>, <c>pids</c>).</summary>
    public IReadOnlyDictionary<string, string> V1 { get; }

    /// <summary>Gets why hierarchies or controllers were left out, for the start-up report.</summary>
    public IReadOnlyList<string> Notes { get; }

    private IReadOnlySet<string> V2Controllers_ { get; }

    // Whether this layout counted itself into the process's SharedSchedulingGroup, and must count itself out.
    private int _sharesScheduling;

    /// <summary>Gets where each resource is controlled, or <see langword="null"/> when nowhere.</summary>
    public string? Provider(string controller) =>
        V2 is not null && V2Controllers_.Contains(controller) ? "cgroup v2"
        : V1.ContainsKey(controller) ? "cgroup v1"
        : null;

    /// <summary>Gets whether a whole group can be killed (v2 <c>cgroup.kill</c>, or every member of any hierarchy).</summary>
    public bool CanKill => V2 is not null || V1.Count > 0;

    /// <summary>Finds the writable hierarchies, creates this supervisor's groups in them, and ends groups left by supervisors that died.</summary>
    public static CgroupLayout Discover(Action<string> sweptStale)
    {
        var notes = new List<string>();
        IReadOnlyList<CgroupMount> mounts;
        Dictionary<string, string> own;
        try
        {
            mounts = CgroupMount.Read();
            own = OwnCgroups();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CgroupLayout(null, new HashSet<string>(), new Dictionary<string, string>(), [$"cannot read the cgroup mounts: {ex.Message}"]);
        }

        string? v2 = null;
        var v2Controllers = new HashSet<string>(StringComparer.Ordinal);
        if (mounts.FirstOrDefault(m => m.IsV2) is { } unified && own.TryGetValue(string.Empty, out var v2Path) && unified.OwnGroup(v2Path) is { } v2Base)
        {
            v2 = CreateV2(v2Base, v2Controllers, notes, sweptStale);
        }
        else
        {
            notes.Add("no cgroup v2 hierarchy is mounted");
        }

        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        var sharesScheduling = false;
        foreach (var mount in mounts.Where(m => !m.IsV2))
        {
            var key = string.Join(',', mount.Controllers);
            var path = own.FirstOrDefault(p => p.Key.Split(',').Intersect(mount.Controllers).Any()).Value;
            if (path is null || mount.OwnGroup(path) is not { } parent)
            {
                continue;
            }

            if (TryCreateGroup(parent, notes, $"cgroup v1 {key}", sweptStale) is { } group)
            {
                foreach (var controller in mount.Controllers)
                {
                    v1[controller] = group;
                }

                if (mount.Controllers.Contains("cpu"))
                {
                    SharedSchedulingGroup.Enter(parent, path, $"{GroupPrefix}{Owner}-shared", notes);
                    sharesScheduling = true;
                }
            }
        }

        return new CgroupLayout(v2, v2Controllers, v1, notes, sharesScheduling);
    }

    /// <summary>Creates the group of one instance, with its limits.</summary>
    /// <exception cref="IOException">A folder or limit could not be written.</exception>
    public InstanceCgroup CreateInstance(string instanceId, ResourceLimits limits)
    {
        var folders = new List<string>();
        try
        {
            string? v2 = null;
            if (V2 is not null)
            {
                v2 = Directory.CreateDirectory(Path.Combine(V2, instanceId)).FullName;
                folders.Add(v2);
            }

            // Without a CPU limit the instance stays in the supervisor's CPU scheduling group: a group of its own
            // would make every call cross groups (SharedSchedulingGroup). A hierarchy that mounts cpu with other
            // controllers is left out whole (usage falls back to v2's cpu.stat or the process tree), unless it is the
            // only one: killing the instance's whole tree needs one group of its own somewhere.
            var onlyHierarchy = V2 is null && V1.Values.Distinct(StringComparer.Ordinal).Count() == 1;
            var unlimitedCpu = limits.CpuCores > 0 || onlyHierarchy ? null : V1.GetValueOrDefault("cpu");
            var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (controller, parent) in V1)
            {
                if (parent == unlimitedCpu)
                {
                    continue;
                }

                var folder = Path.Combine(parent, instanceId);
                if (!folders.Contains(folder))
                {
                    Directory.CreateDirectory(folder);
                    folders.Add(folder);
                }

                v1[controller] = folder;
            }

            var group = new InstanceCgroup(v2, V2Controllers_, v1, folders);
            group.Apply(limits);
            return group;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            foreach (var folder in folders)
            {
                try
                {
                    Directory.Delete(folder);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                    // Left for the sweep at the next start.
                }
            }

            throw new IOException($"cannot set up the instance's cgroup: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Removes this supervisor's own groups once every instance is gone, with any instance group whose removal has
    /// not finished yet (its members are killed), and counts it out of the process's shared scheduling group.
    /// </summary>
    public async Task RemoveAsync()
    {
        foreach (var folder in V1.Values.Append(V2).OfType<string>().Distinct())
        {
            foreach (var instance in SubFolders(folder))
            {
                InstanceCgroup.KillMembers(instance);
                await InstanceCgroup.RemoveFolderAsync(instance, CancellationToken.None).ConfigureAwait(false);
            }

            TryDelete(folder);
        }

        if (Interlocked.Exchange(ref _sharesScheduling, 0) == 1)
        {
            await SharedSchedulingGroup.LeaveAsync().ConfigureAwait(false);
        }
    }

    private static string[] SubFolders(string folder)
    {
        try
        {
            return Directory.GetDirectories(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    // "/proc/self/cgroup": "4:memory:/path" for v1 hierarchies, "0::/path" for v2 (keyed by the empty string).
    private static Dictionary<string, string> OwnCgroups()
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                own[parts[1]] = parts[2];
            }
        }

        return own;
    }

    private static string? CreateV2(string parent, HashSet<string> enabled, List<string> notes, Action<string> sweptStale)
    {
        if (!CgroupFiles.Exists(parent, "cgroup.procs"))
        {
            notes.Add($"cgroup v2 at {parent} is not readable");
            return null;
        }

        var available = (CgroupFiles.Read(parent, "cgroup.controllers") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var wanted = V2Controllers.Where(available.Contains).ToArray();
        if (wanted.Length > 0)
        {
            EnableInParent(parent, wanted, notes);
        }

        var subtree = (CgroupFiles.Read(parent, "cgroup.subtree_control") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var group = TryCreateGroup(parent, notes, "cgroup v2", sweptStale);
        if (group is null)
        {
            return null;
        }

        var delegated = V2Controllers.Where(subtree.Contains).ToArray();
        if (delegated.Length > 0)
        {
            try
            {
                CgroupFiles.Write(group, "cgroup.subtree_control", string.Join(' ', delegated.Select(c => "+" + c)));
                enabled.UnionWith(delegated);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                notes.Add($"cgroup v2 controllers {string.Join(", ", delegated)} cannot be enabled below {group}: {ex.Message}");
            }
        }

        var missing = V2Controllers.Except(enabled).ToArray();
        if (missing.Length > 0)
        {
            notes.Add($"cgroup v2 at {parent} has no {string.Join(", ", missing)} controller delegated to it");
        }

        return group;
    }

    // A v2 group with processes of its own cannot hand controllers to its children (the "no internal processes"
    // rule): the supervisor moves itself into a leaf of its group first, as container init systems do.
    private static void EnableInParent(string parent, string[] wanted, List<string> notes)
    {
        var request = string.Join(' ', wanted.Select(c => "+" + c));
        try
        {
            CgroupFiles.Write(parent, "cgroup.subtree_control", request);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (CgroupFiles.Processes(parent).Count == 0)
            {
                notes.Add($"cgroup v2 controllers cannot be enabled in {parent}: {ex.Message}");
                return;
            }
        }

        try
        {
            var leaf = Directory.CreateDirectory(Path.Combine(parent, "supervisor")).FullName;
            CgroupFiles.Write(leaf, "cgroup.procs", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(parent, "cgroup.subtree_control", request);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            notes.Add($"cgroup v2 controllers cannot be enabled in {parent} (it has other processes, or is not delegated): {ex.Message}");
        }
    }

    private static string? TryCreateGroup(string parent, List<string> notes, string what, Action<string> sweptStale)
    {
        SweepStale(parent, sweptStale);
        // The pid says whose it is (for the sweep); the suffix keeps apart supervisors embedded in one process.
        var group = Path.Combine(parent, $"{GroupPrefix}{Owner}-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            Directory.CreateDirectory(group);
            return group;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{what}: cannot create {group}: {ex.Message}");
            return null;
        }
    }

    // A supervisor that was SIGKILLed outside a pid namespace leaves its plugins' groups: end what is in them.
    private static void SweepStale(string parent, Action<string> swept)
    {
        string[] groups;
        try
        {
            groups = Directory.GetDirectories(parent, GroupPrefix + "*");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var group in groups)
        {
            var owner = Path.GetFileName(group)[GroupPrefix.Length..].Split('-')[0].Split('.');
            if (owner.Length != 2 || owner[0] != PidNamespace()
                || !int.TryParse(owner[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            foreach (var instance in Directory.GetDirectories(group))
            {
                InstanceCgroup.KillMembers(instance);
                TryDelete(instance);
            }

            TryDelete(group);
            swept(group);
        }
    }

    private static string PidNamespace()
    {
        try
        {
            // "pid:[4026531836]"
            var link = new FileInfo("/proc/self/ns/pid").LinkTarget ?? string.Empty;
            return new string([.. link.Where(char.IsAsciiDigit)]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "0";
        }
    }

    internal static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Still busy or already gone; the next start's sweep removes it.
        }
    }
}
