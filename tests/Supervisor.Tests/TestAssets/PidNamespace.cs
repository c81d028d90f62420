namespace Supervisor.Tests.TestAssets;

/// <summary>Runs a process as PID 1 of its own PID namespace, as a container runtime does, where this machine allows it.</summary>
internal static class PidNamespace
{
    private const string Unshare = "/usr/bin/unshare";

    /// <summary>Gets whether this machine can create a PID namespace here: creating one takes root and util-linux unshare.</summary>
    public static bool IsAvailable => File.Exists(Unshare) && Environment.UserName == "root";

    /// <summary>
    /// Gets the launcher for <see cref="SupervisorProcess"/>: its child is PID 1 of a new namespace with its own /proc,
    /// and is killed if the launcher dies, so no test leaves a namespace behind.
    /// </summary>
    public static string[] Launcher { get; } = [Unshare, "--pid", "--fork", "--mount-proc", "--kill-child"];
}
