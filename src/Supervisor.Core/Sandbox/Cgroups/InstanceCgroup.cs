using System.Globalization;

namespace Supervisor.Sandbox.Cgroups;

/// <summary>
/// The cgroups of one instance: its process joins them before it runs plugin code (so every descendant is in them
/// too), they carry its CPU, memory and process limits, count its use, and end all of it at once.
/// </summary>
internal sealed class InstanceCgroup
{
    private const long CpuPeriodMicroseconds = 100_000;
    private const int SigKill = 9;
    private readonly string? _v2;
    private readonly IReadOnlySet<string> _v2Controllers;
    private readonly IReadOnlyDictionary<string, string> _v1;
    private readonly IReadOnlyList<string> _folders;

    internal InstanceCgroup(string? v2, IReadOnlySet<string> v2Controllers, IReadOnlyDictionary<string, string> v1, IReadOnlyList<string> folders)
    {
        _v2 = v2;
        _v2Controllers = v2Controllers;
        _v1 = v1;
        _folders = folders;
    }

    /// <summary>Gets the <c>cgroup.procs</c> files a process writes its pid to, to join every group.</summary>
    public IEnumerable<string> ProcsFiles => _folders.Select(f => Path.Combine(f, "cgroup.procs"));

    /// <summary>Gets how many times the kernel's OOM killer has killed a process of the group.</summary>
    public long OomKills =>
        (_v2 is not null && _v2Controllers.Contains("memory") ? CgroupFiles.ReadKeyed(_v2, "memory.events", "oom_kill") : null)
        ?? (_v1.TryGetValue("memory", out var memory) ? CgroupFiles.ReadKeyed(memory, "memory.oom_control", "oom_kill") : null)
        ?? 0;

    /// <summary>Reads the group's CPU time and memory.</summary>
    public ResourceUsage Usage()
    {
        double? cpu = null;
        if (_v2 is not null && CgroupFiles.ReadKeyed(_v2, "cpu.stat", "usage_usec") is { } micros)
        {
            cpu = micros / 1e6;
        }
        else if (_v1.TryGetValue("cpuacct", out var cpuacct) && CgroupFiles.ReadNumber(cpuacct, "cpuacct.usage") is { } nanos)
        {
            cpu = nanos / 1e9;
        }

        long? memory = null;
        if (_v2 is not null && _v2Controllers.Contains("memory"))
        {
            memory = CgroupFiles.ReadNumber(_v2, "memory.current");
        }
        else if (_v1.TryGetValue("memory", out var v1Memory))
        {
            memory = CgroupFiles.ReadNumber(v1Memory, "memory.usage_in_bytes");
        }

        return new ResourceUsage(cpu, memory);
    }

    /// <summary>Sends SIGKILL to every process in the group, however it detached itself.</summary>
    public void Kill()
    {
        if (_v2 is not null && CgroupFiles.Exists(_v2, "cgroup.kill"))
        {
            try
            {
                CgroupFiles.Write(_v2, "cgroup.kill", "1");
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Fall back to killing member by member.
            }
        }

        foreach (var folder in _folders)
        {
            KillMembers(folder);
        }
    }

    /// <summary>Kills the group and removes its folders once they are empty (one still busy is left for the next sweep).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        Kill();
        foreach (var folder in _folders)
        {
            await RemoveFolderAsync(folder, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes a killed group's folder once the kernel has reaped its members (waiting up to a second).</summary>
    internal static async Task RemoveFolderAsync(string folder, CancellationToken cancellationToken)
    {
        // A killed process leaves the group only once the kernel has reaped it.
        for (var attempt = 0; attempt < 50 && CgroupFiles.Processes(folder).Count > 0; attempt++)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        CgroupLayout.TryDelete(folder);
    }

    /// <summary>Kills every member of a group folder until it is empty (a forking member may add more while it runs).</summary>
    internal static void KillMembers(string folder)
    {
        for (var round = 0; round < 100; round++)
        {
            var members = CgroupFiles.Processes(folder);
            if (members.Count == 0)
            {
                return;
            }

            foreach (var pid in members)
            {
                _ = Posix.Signal(pid, SigKill);
            }
        }
    }

    internal void Apply(ResourceLimits limits)
    {
        if (limits.CpuCores > 0)
        {
            var quota = (long)Math.Ceiling(limits.CpuCores * CpuPeriodMicroseconds);
            if (_v2 is not null && _v2Controllers.Contains("cpu"))
            {
                CgroupFiles.Write(_v2, "cpu.max", string.Create(CultureInfo.InvariantCulture, $"{quota} {CpuPeriodMicroseconds}"));
            }
            else if (_v1.TryGetValue("cpu", out var cpu))
            {
                CgroupFiles.Write(cpu, "cpu.cfs_period_us", CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                CgroupFiles.Write(cpu, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (limits.MemoryBytes > 0)
        {
            var bytes = limits.MemoryBytes.ToString(CultureInfo.InvariantCulture);
            if (_v2 is not null && _v2Controllers.Contains("memory"))
            {
                CgroupFiles.Write(_v2, "memory.max", bytes);

                // Swap would let an instance run past its cap at the host's expense.
                if (CgroupFiles.Exists(_v2, "memory.swap.max"))
                {
                    CgroupFiles.Write(_v2, "memory.swap.max", "0");
                }
            }
            else if (_v1.TryGetValue("memory", out var memory))
            {
                CgroupFiles.Write(memory, "memory.limit_in_bytes", bytes);
                if (CgroupFiles.Exists(memory, "memory.memsw.limit_in_bytes"))
                {
                    CgroupFiles.Write(memory, "memory.memsw.limit_in_bytes", bytes);
                }
            }
        }

        if (limits.MaxProcesses > 0)
        {
            var max = limits.MaxProcesses.ToString(CultureInfo.InvariantCulture);
            if (_v2 is not null && _v2Controllers.Contains("pids"))
            {
                CgroupFiles.Write(_v2, "pids.max", max);
            }
            else if (_v1.TryGetValue("pids", out var pids))
            {
                CgroupFiles.Write(pids, "pids.max", max);
            }
        }
    }
}
