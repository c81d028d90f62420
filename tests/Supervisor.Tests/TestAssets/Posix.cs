using System.Runtime.InteropServices;

namespace Supervisor.Tests.TestAssets;

/// <summary>Real signals, sent the way an operator or a container runtime would.</summary>
internal static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigStop = 19;

    public static void Signal(int pid, int signal)
    {
        if (SendSignal(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Whether a process with this pid exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            // Field 3 is the state; Z means exited but not yet reaped.
            var text = File.ReadAllText(stat);
            var afterName = text[(text.LastIndexOf(')') + 2)..];
            return afterName[0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
