using System.Globalization;

namespace Supervisor.Tests.TestAssets;

/// <summary>A process's resident set (<c>VmRSS</c> in <c>/proc/PID/status</c>): what it holds in physical memory.</summary>
internal static class ResidentMemory
{
    /// <returns>The resident set in MiB.</returns>
    public static double MegabytesOf(int pid) => Field(pid, "VmRSS:");

    /// <returns>The largest resident set the process has had since it started (<c>VmHWM</c>), in MiB.</returns>
    public static double PeakMegabytesOf(int pid) => Field(pid, "VmHWM:");

    private static double Field(int pid, string name)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            // "VmRSS:     20480 kB"
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new IOException($"/proc/{pid}/status has no {name} line (a kernel thread, or a zombie)");
    }
}
