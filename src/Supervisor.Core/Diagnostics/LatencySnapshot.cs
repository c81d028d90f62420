namespace Supervisor.Diagnostics;

/// <summary>
/// A frozen copy of a <see cref="LatencyHistogram"/>'s buckets: percentiles of one moment, of several histograms added
/// together (a plugin across its versions), or of the calls between two moments (a canary step).
/// </summary>
internal sealed class LatencySnapshot
{
    private readonly long[] _counts;

    public LatencySnapshot(long[] counts, long maxMicros)
    {
        _counts = counts;
        MaxMicros = maxMicros;
        foreach (var count in counts)
        {
            Count += count;
        }
    }

    public static LatencySnapshot Empty { get; } = new(new long[LatencyHistogram.BucketCount], 0);

    public long Count { get; }

    public long MaxMicros { get; }

    public TimeSpan Max => TimeSpan.FromMicroseconds(MaxMicros);

    /// <summary>The latency at <paramref name="quantile"/> (0..1), as the upper bound of its bucket; zero when empty.</summary>
    public TimeSpan Percentile(double quantile)
    {
        if (Count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max((long)Math.Ceiling(Math.Clamp(quantile, 0, 1) * Count), 1);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return TimeSpan.FromMicroseconds(Math.Min(LatencyHistogram.UpperBoundOf(i), MaxMicros));
            }
        }

        return Max;
    }

    public LatencySnapshot Plus(LatencySnapshot other)
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = _counts[i] + other._counts[i];
        }

        return new LatencySnapshot(counts, Math.Max(MaxMicros, other.MaxMicros));
    }

    /// <summary>The calls recorded since <paramref name="earlier"/>, a snapshot of the same histogram.</summary>
    public LatencySnapshot Since(LatencySnapshot earlier)
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Math.Max(0, _counts[i] - earlier._counts[i]);
        }

        // The maximum of the interval is unknown; the later maximum bounds it.
        return new LatencySnapshot(counts, MaxMicros);
    }
}
