using System.Runtime.InteropServices;

namespace Supervisor.Sandbox;

/// <summary>The few system calls the sandbox needs that .NET does not wrap.</summary>
internal static partial class Posix
{
    /// <summary>Gives <paramref name="path"/> to <paramref name="uid"/>:<paramref name="gid"/>.</summary>
    /// <exception cref="IOException">The call failed.</exception>
    public static void Chown(string path, uint uid, uint gid)
    {
        if (NativeChown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot give {path} to {uid}:{gid}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (a negative pid: its process group).</summary>
    /// <returns>0, or -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Signal(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeChown(string path, uint uid, uint gid);
}
