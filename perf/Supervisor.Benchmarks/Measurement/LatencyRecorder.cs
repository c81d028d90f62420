using System.Diagnostics;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// Exact latencies of one sequential series: preallocated, so recording never allocates, and sorted once at
/// the end rather than bucketed, because a few thousand samples are cheap to keep.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly long[] _ticks;
    private int _count;
    private bool _sorted;

    public LatencyRecorder(int capacity) => _ticks = new long[capacity];

    public int Count => _count;

    public void Record(long elapsedTicks)
    {
        _ticks[_count++] = elapsedTicks;
        _sorted = false;
    }

    /// <summary>The nearest-rank percentile, in microseconds.</summary>
    /// <param name="quantile">Between 0 and 1, e.g. 0.99.</param>
    public double PercentileMicros(double quantile)
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("no latency was recorded");
        }

        if (!_sorted)
        {
            Array.Sort(_ticks, 0, _count);
            _sorted = true;
        }

        var rank = (int)Math.Ceiling(quantile * _count);
        var index = Math.Clamp(rank - 1, 0, _count - 1);
        return _ticks[index] * 1_000_000.0 / Stopwatch.Frequency;
    }
}
