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

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeChown(string path, uint uid, uint gid);
}
