using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Supervisor.Configuration;

/// <summary>
/// Checks a <c>plugin.json</c>'s <c>sha256</c> pin against its command's file, once per start attempt, validation and
/// roll. A 70 MB binary takes about 0.12 s of CPU to hash (OpenSSL with SHA instructions) and well over a second of
/// wall time on a loaded two-core host, so restarts reuse a hash while the file provably has not changed.
/// </summary>
/// <remarks>
/// The cache key is the file's device, inode, size, mtime and ctime (<see cref="FileStamp"/>). Replacing a file by
/// rename gives a new inode (or, if the kernel reuses the number, a new ctime); writing in place changes the ctime, which
/// no one can set back (<c>touch</c> sets only mtime and atime). Two races remain and are closed: a write during the
/// hash (the stamp is taken before and after, and a hash is kept only if both agree), and a write within the same
/// timestamp tick as the hash (a hash is kept only for a file whose ctime is <see cref="SettledAfter"/> older than the
/// hash, as git does for its "racily clean" entries). What no check can close is a file replaced between the check and
/// the exec; the pin protects against a wrong or half-copied build, not against someone who can write the folder.
/// </remarks>
internal static class CommandPin
{
    /// <summary>How old a file's last change must be before its hash is reused.</summary>
    internal static readonly TimeSpan SettledAfter = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<string, (FileStamp Stamp, string Sha256)> Hashes = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks that the manifest's command exists (when <paramref name="requireFile"/> or pinned) and matches its pin.
    /// </summary>
    /// <param name="manifest">A loaded manifest.</param>
    /// <param name="requireFile">Whether a command that cannot be found is an error even without a pin.</param>
    /// <exception cref="PinnedCommandMismatchException">The file's hash differs from the pin.</exception>
    /// <exception cref="InvalidDataException">The command's file is missing or unreadable.</exception>
    public static void Verify(PluginManifest manifest, bool requireFile)
    {
        if (manifest.Sha256 is null && !requireFile)
        {
            return;
        }

        var manifestPath = Path.Combine(manifest.Directory, PluginManifest.FileName);
        var file = Locate(manifest)
            ?? throw new InvalidDataException($"{manifestPath}: command '{manifest.Command}' does not exist ({manifest.ResolvedCommand})");
        if (manifest.Sha256 is not { } expected)
        {
            return;
        }

        string actual;
        try
        {
            actual = Hash(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{manifestPath}: cannot hash command {file} to check its sha256 pin ({ex.Message})", ex);
        }

        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new PinnedCommandMismatchException(manifestPath, file, expected.ToLowerInvariant(), actual);
        }
    }

    /// <summary>The SHA-256 of <paramref name="file"/>, lower-case hex, reused while the file is provably unchanged.</summary>
    /// <param name="file">An existing file.</param>
    /// <param name="time">The clock that says how old the file's last change is; the system's when <see langword="null"/>.</param>
    /// <returns>The hash.</returns>
    internal static string Hash(string file, TimeProvider? time = null)
    {
        var before = FileStamp.Of(file);
        if (before is { } stamp && Hashes.TryGetValue(file, out var cached) && cached.Stamp == stamp)
        {
            return cached.Sha256;
        }

        var hashedAt = (time ?? TimeProvider.System).GetUtcNow();
        string sha256;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var after = FileStamp.Of(file);
        if (before is { } first && after == first && hashedAt - first.Changed >= SettledAfter)
        {
            Hashes[file] = (first, sha256);
        }
        else
        {
            Hashes.TryRemove(file, out _);
        }

        return sha256;
    }

    /// <summary>The file the manifest's command names: resolved against its folder, or looked up on PATH when it is a bare name.</summary>
    private static string? Locate(PluginManifest manifest)
    {
        var command = manifest.ResolvedCommand;
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? command : null;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
