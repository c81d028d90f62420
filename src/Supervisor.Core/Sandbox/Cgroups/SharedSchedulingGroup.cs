using System.Globalization;

namespace Supervisor.Sandbox.Cgroups;

/// <summary>
/// Keeps the supervisor and its plugins without a <c>CpuLimit</c> in one CPU scheduling group where the kernel would
/// otherwise split them by session. A process in the root cpu cgroup is scheduled in a group per session (autogroup),
/// and every plugin starts in a session of its own (<c>setsid</c>, bubblewrap's <c>--new-session</c>), so each call
/// would cross groups both ways: measured, that is 5 to 10 times the context switches of the same call within one
/// group and about 1.6 times its CPU (docs/performance.md, "Scheduling groups"). A process in a cpu cgroup below the
/// root is not grouped by session, so the supervisor moves itself into a group of its own there, once per process,
/// and its plugins inherit it. One group per process: supervisors embedded side by side share it, and the last one
/// to stop moves the process back and removes it.
/// </summary>
internal static class SharedSchedulingGroup
{
    private const string AutogroupSetting = "/proc/sys/kernel/sched_autogroup_enabled";
    private static readonly Lock Gate = new();
    private static int s_users;
    private static (string Group, string Parent)? s_joined;

    /// <summary>
    /// Counts a supervisor in, and on the first one moves the process into <paramref name="name"/> below
    /// <paramref name="ownGroup"/> when that is the root of a v1 cpu hierarchy and the kernel groups it by session.
    /// </summary>
    /// <param name="ownGroup">The folder of the process's own cgroup in the v1 hierarchy that has the cpu controller.</param>
    /// <param name="ownPath">The process's cgroup path in that hierarchy, from <c>/proc/self/cgroup</c>.</param>
    /// <param name="name">The group's folder name (carries the owner, for the stale-group sweep).</param>
    /// <param name="notes">Where a failure to move goes, for the start-up report.</param>
    public static void Enter(string ownGroup, string ownPath, string name, List<string> notes)
    {
        lock (Gate)
        {
            s_users++;
            if (s_users > 1 || ownPath != "/" || !GroupsBySession())
            {
                return;
            }

            var group = Path.Combine(ownGroup, name);
            try
            {
                Directory.CreateDirectory(group);
                CgroupFiles.Write(group, "cgroup.procs", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                s_joined = (group, ownGroup);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CgroupLayout.TryDelete(group);
                notes.Add($"cgroup v1 cpu: cannot move the supervisor into {group}, so each plugin is scheduled apart from it (autogroup): {ex.Message}");
            }
        }
    }

    /// <summary>Counts a supervisor out; the last one moves the process back to where it was and removes the group.</summary>
    public static async Task LeaveAsync()
    {
        string group;
        lock (Gate)
        {
            if (--s_users > 0 || s_joined is not { } joined)
            {
                return;
            }

            s_joined = null;
            try
            {
                CgroupFiles.Write(joined.Parent, "cgroup.procs", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The group stays until the process exits; the next supervisor's sweep removes it then.
                return;
            }

            group = joined.Group;
        }

        // Plugins killed a moment ago may not be reaped yet. A process the host started while it was in the group
        // keeps it busy: then the next supervisor's sweep removes it.
        await InstanceCgroup.RemoveFolderAsync(group, CancellationToken.None).ConfigureAwait(false);
    }

    private static bool GroupsBySession()
    {
        try
        {
            return File.ReadAllText(AutogroupSetting).Trim() == "1";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
