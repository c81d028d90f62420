using System.Runtime.InteropServices;

namespace Supervisor.Configuration;

/// <summary>
/// What identifies a file's content without reading it: device, inode, size, mtime and ctime (from <c>statx</c>; .NET
/// exposes neither the inode nor the ctime). Equal stamps mean the same file, unchanged since the ctime.
/// </summary>
internal readonly partial record struct FileStamp(ulong Device, ulong Inode, ulong Size, long ModifiedNs, long ChangedNs)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>Gets when the file's inode last changed (content, name or mode).</summary>
    public DateTimeOffset Changed => DateTimeOffset.UnixEpoch.AddTicks(ChangedNs / 100);

    /// <summary>The stamp of <paramref name="path"/> (following symbolic links), or <see langword="null"/> when it cannot be read.</summary>
    /// <param name="path">A file.</param>
    /// <returns>The stamp.</returns>
    public static unsafe FileStamp? Of(string path)
    {
        Statx buffer;
        if (NativeStatx(AtFdCwd, path, 0, StatxBasicStats, &buffer) != 0)
        {
            return null;
        }

        return new FileStamp(
            ((ulong)buffer.DevMajor << 32) | buffer.DevMinor,
            buffer.Inode,
            buffer.Size,
            (buffer.MtimeSec * 1_000_000_000) + buffer.MtimeNsec,
            (buffer.CtimeSec * 1_000_000_000) + buffer.CtimeNsec);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int NativeStatx(int dirfd, string path, int flags, uint mask, Statx* buffer);

    /// <summary><c>struct statx</c> (linux/stat.h): 256 bytes, the fields read here at their fixed offsets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSec;
        [FieldOffset(104)] public uint CtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
