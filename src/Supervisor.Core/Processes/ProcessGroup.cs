namespace Supervisor.Processes;

/// <summary>
/// Each plugin runs as the leader of its own session and process group (started through <c>setsid</c>), so a
/// terminal's Ctrl+C or a container runtime's group signal reaches only the supervisor, which then shuts the
/// plugins down in order; and a kill reaches everything the plugin started.
/// </summary>
internal static class ProcessGroup
{
    private const int SigKill = 9;

    /// <summary>Gets the <c>setsid</c> executable, or <see langword="null"/> when the system has none.</summary>
    public static string? Setsid => Sandbox.SandboxTools.Setsid;

    /// <summary>Sends SIGKILL to every process in the group led by <paramref name="leaderPid"/>.</summary>
    /// <returns>Whether the signal was delivered (false when the group no longer exists).</returns>
    public static bool Kill(int leaderPid) => leaderPid > 0 && Sandbox.Posix.Signal(-leaderPid, SigKill) == 0;
}
