using System.Numerics;

namespace Supervisor.Diagnostics;

/// <summary>
/// A lock-free log-linear latency histogram: 8 buckets per power of two of microseconds, so any percentile is
/// within 12.5% of the true value, recording costs one interlocked increment, and memory is fixed.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 3;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Powers = 40;
    private readonly long[] _counts = new long[Powers * SubBuckets];
    private long _maxMicros;

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Volatile.Read(ref _counts[i]);
            }

            return total;
        }
    }

    public TimeSpan Max => TimeSpan.FromMicroseconds(Volatile.Read(ref _maxMicros));

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Max(0, (long)elapsed.TotalMicroseconds);
        Interlocked.Increment(ref _counts[BucketOf(micros)]);
        var max = Volatile.Read(ref _maxMicros);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicros, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The latency at <paramref name="quantile"/> (0..1), as the upper bound of its bucket; zero when empty.</summary>
    public TimeSpan Percentile(double quantile)
    {
        var snapshot = new long[_counts.Length];
        long total = 0;
        for (var i = 0; i < snapshot.Length; i++)
        {
            snapshot[i] = Volatile.Read(ref _counts[i]);
            total += snapshot[i];
        }

        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(quantile, 0, 1) * total);
        long seen = 0;
        for (var i = 0; i < snapshot.Length; i++)
        {
            seen += snapshot[i];
            if (seen >= Math.Max(rank, 1))
            {
                return TimeSpan.FromMicroseconds(Math.Min(UpperBoundOf(i), Volatile.Read(ref _maxMicros)));
            }
        }

        return Max;
    }

    internal static int BucketOf(long micros)
    {
        if (micros < SubBuckets)
        {
            return (int)micros;
        }

        var power = BitOperations.Log2((ulong)micros);
        var shift = power - SubBucketBits;
        var sub = (int)(micros >> shift) & (SubBuckets - 1);
        var index = ((shift + 1) * SubBuckets) + sub;
        return Math.Min(index, (Powers * SubBuckets) - 1);
    }

    internal static long UpperBoundOf(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }

        var shift = (bucket / SubBuckets) - 1;
        var sub = bucket % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << shift) - 1;
    }
}
