using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// Bytes the supervisor host process has allocated since it started, read from its Prometheus scrape (the
/// <c>System.Runtime</c> meter's <c>dotnet.gc.heap.total_allocated</c>): the events API's allocations happen in
/// another process, where <see cref="GC.GetTotalAllocatedBytes(bool)"/> cannot see them.
/// </summary>
internal sealed partial class HostAllocations : IDisposable
{
    private const string Counter = "dotnet_gc_heap_total_allocated_bytes_total";

    /// <summary>Gets the shortest window between two reads that sees the counter move: scrapes are cached for 300 ms.</summary>
    public static TimeSpan ShortestWindow { get; } = TimeSpan.FromSeconds(1);
    private readonly HttpClient _http;
    private readonly Uri _metrics;

    private HostAllocations(Uri monitoring)
    {
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _metrics = new Uri(monitoring, "/metrics");
    }

    /// <summary>Reads the monitoring address from the host's ready line (<c>… probes and metrics on http://127.0.0.1:PORT</c>).</summary>
    /// <exception cref="InvalidOperationException">The line names no monitoring address (the listener is off).</exception>
    public static HostAllocations FromReadyLine(string readyLine)
    {
        var match = MonitoringAddress().Match(readyLine);
        return match.Success
            ? new HostAllocations(new Uri(match.Groups[1].Value))
            : throw new InvalidOperationException($"the host's ready line names no monitoring address to scrape for its allocations: {readyLine}");
    }

    /// <returns>The bytes allocated so far (approximate by at most a few allocation contexts, a few KiB per thread).</returns>
    /// <exception cref="InvalidOperationException">The scrape has no <c>dotnet_gc_heap_total_allocated_bytes_total</c> sample.</exception>
    public async Task<double> ReadAsync(CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync(_metrics, cancellationToken).ConfigureAwait(false);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            // dotnet_gc_heap_total_allocated_bytes_total{otel_scope_name="System.Runtime"} 840741776
            if (line.StartsWith(Counter, StringComparison.Ordinal) && line.Length > Counter.Length && line[Counter.Length] is '{' or ' ')
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                return double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{_metrics} has no {Counter} sample (is the System.Runtime meter exported?)");
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"probes and metrics on (http://[0-9A-Za-z.\[\]:]+)")]
    private static partial Regex MonitoringAddress();
}
