using System.Globalization;
using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Soak;

/// <summary>What the supervisor host process itself holds: resident memory, open file descriptors and threads.</summary>
internal readonly record struct HostFootprint(double RssMb, int Fds, int Threads)
{
    /// <exception cref="IOException">The host is gone.</exception>
    public static HostFootprint Of(int pid)
    {
        var fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            // "Threads:        27"
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                break;
            }
        }

        return new HostFootprint(ResidentMemory.MegabytesOf(pid), fds, threads);
    }
}
