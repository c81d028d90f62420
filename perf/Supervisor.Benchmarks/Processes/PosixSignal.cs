using System.Runtime.InteropServices;

namespace Supervisor.Benchmarks.Processes;

/// <summary>
/// Sends SIGTERM, which <see cref="System.Diagnostics.Process"/> cannot: the supervisor host shuts its plugins
/// down in order on SIGTERM, whereas SIGKILL would leave that to their stdin reaching end of file.
/// </summary>
internal static partial class PosixSignal
{
    private const int SigTerm = 15;

    /// <returns>Whether the signal was delivered (false when the process is already gone).</returns>
    public static bool Terminate(int pid) => pid > 0 && SendSignal(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
