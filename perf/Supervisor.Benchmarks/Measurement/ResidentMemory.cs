using System.Globalization;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>A process's resident set (<c>VmRSS</c> in <c>/proc/PID/status</c>): what it holds in physical memory now.</summary>
internal static class ResidentMemory
{
    /// <returns>The resident set in MiB.</returns>
    /// <exception cref="IOException">The process is gone.</exception>
    public static double MegabytesOf(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            // "VmRSS:     20480 kB"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }

        throw new IOException($"/proc/{pid}/status has no VmRSS line (a kernel thread, or a zombie)");
    }

    /// <summary>
    /// The resident set of the plugin an instance runs: the process the supervisor started, or under the sandbox's
    /// bubblewrap (whose own two small processes the instance pid names) the plugin process below them.
    /// </summary>
    /// <returns>The resident set in MiB.</returns>
    /// <exception cref="IOException">The process is gone.</exception>
    public static double MegabytesOfPlugin(int instancePid) => MegabytesOf(Sandbox.SandboxedProcess.Find(instancePid));
}
