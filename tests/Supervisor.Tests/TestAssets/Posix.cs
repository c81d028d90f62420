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
    public static bool IsAlive(int pid) => StateOf(pid) is { } state && state != 'Z';

    /// <summary>The process state from <c>/proc/PID/stat</c> (R, S, T stopped, Z zombie, …), or null when there is no such process.</summary>
    public static char? StateOf(int pid)
    {
        try
        {
            // Field 3, after the parenthesised command name.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[text.LastIndexOf(')') + 2];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
