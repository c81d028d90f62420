using System.Globalization;

namespace Supervisor.Processes;

/// <summary>Resident memory of a process, from <c>/proc/&lt;pid&gt;/status</c> (VmRSS).</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set in bytes, or <see langword="null"/> when the process is gone.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:	  123456 kB"
                    var digits = line.AsSpan(6).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space < 0 ? digits : digits[..space], NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Exited between the check and the read.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to read; treat as unknown.
        }

        return null;
    }
}
