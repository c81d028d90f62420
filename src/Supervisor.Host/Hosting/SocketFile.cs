using System.Runtime.InteropServices;

namespace Supervisor.Host.Hosting;

/// <summary>
/// What sits at a Unix socket listen path. .NET reports a socket as an ordinary file, so it cannot tell a stale
/// socket (safe to replace) from an operator's file (never ours to delete); <c>statx</c> can, and its buffer has
/// the same layout on every architecture.
/// </summary>
internal static partial class SocketFile
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int NoSuchEntry = 2;
    private const int TypeMask = 0xF000;

    /// <summary>The kinds of file a listen path can hold.</summary>
    public enum Kind
    {
        /// <summary>Nothing is there.</summary>
        None,

        /// <summary>A Unix socket, e.g. left behind by a supervisor that was killed.</summary>
        Socket,

        /// <summary>A regular file.</summary>
        RegularFile,

        /// <summary>A folder.</summary>
        Directory,

        /// <summary>A symbolic link (not followed).</summary>
        SymbolicLink,

        /// <summary>A pipe, a device, or anything else.</summary>
        Other,
    }

    /// <summary>What is at <paramref name="path"/>, without following a symbolic link.</summary>
    /// <exception cref="IOException">The path cannot be examined (e.g. a folder on the way is not searchable).</exception>
    public static Kind KindOf(string path)
    {
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, out var status) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == NoSuchEntry
                ? Kind.None
                : throw new IOException($"cannot examine '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return (status.Mode & TypeMask) switch
        {
            0xC000 => Kind.Socket,
            0x8000 => Kind.RegularFile,
            0x4000 => Kind.Directory,
            0xA000 => Kind.SymbolicLink,
            _ => Kind.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    // struct statx (linux/stat.h): stx_mode is a __u16 at offset 28; the kernel writes up to 256 bytes.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}
