namespace Supervisor.HangDumps;

/// <summary>
/// Finds the diagnostics socket (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>) that every .NET process opens in its
/// temp directory. The one seam that knows where a plugin's temp directory is and which pid it believes it has, so a
/// sandbox (private <c>/tmp</c>, own pid namespace) changes only this file.
/// </summary>
internal static class DiagnosticsSocket
{
    /// <summary>The path the supervisor can connect to for the process with <paramref name="hostPid"/>, or <see langword="null"/>.</summary>
    /// <param name="hostPid">The process's pid as the supervisor sees it.</param>
    /// <returns>The socket's path, or <see langword="null"/> when the process has none (not .NET, or diagnostics disabled).</returns>
    public static string? Locate(int hostPid)
    {
        if (NamespacePid(hostPid) is not { } ownPid)
        {
            return null;
        }

        var directory = TempDirectory(hostPid);
        try
        {
            // A stale socket of an earlier process that had the same pid may still be there: the newest is this one's.
            string? newest = null;
            var newestTime = DateTime.MinValue;
            foreach (var candidate in Directory.EnumerateFiles(directory, $"dotnet-diagnostic-{ownPid}-*-socket"))
            {
                var written = File.GetLastWriteTimeUtc(candidate);
                if (newest is null || written > newestTime)
                {
                    (newest, newestTime) = (candidate, written);
                }
            }

            return newest;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The process's temp directory (its <c>TMPDIR</c>, else <c>/tmp</c>, as the .NET runtime picks it) reached through
    /// <c>/proc/&lt;pid&gt;/root</c>: that is the process's own view of the file system, so a private <c>/tmp</c> mounted
    /// in its mount namespace is the one found.
    /// </summary>
    internal static string TempDirectory(int hostPid)
    {
        var temp = "/tmp";
        try
        {
            foreach (var variable in File.ReadAllText($"/proc/{hostPid}/environ").Split('\0'))
            {
                if (variable.StartsWith("TMPDIR=", StringComparison.Ordinal) && variable.Length > "TMPDIR=".Length)
                {
                    temp = variable["TMPDIR=".Length..].TrimEnd('/');
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable environment: the runtime's default.
        }

        return $"/proc/{hostPid}/root{(temp.Length == 0 ? "/" : temp)}";
    }

    /// <summary>
    /// The pid the process sees itself as: the last field of <c>NSpid</c> in <c>/proc/&lt;pid&gt;/status</c>, which is
    /// the host pid when the process has no pid namespace of its own.
    /// </summary>
    internal static int? NamespacePid(int hostPid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{hostPid}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var fields = line["NSpid:".Length..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && int.TryParse(fields[^1], out var pid) ? pid : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process is gone.
        }

        return null;
    }
}
