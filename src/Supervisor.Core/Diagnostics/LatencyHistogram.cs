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
    internal const int BucketCount = Powers * SubBuckets;
    private readonly long[] _counts = new long[BucketCount];
    private long _maxMicros;

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

    /// <summary>Copies the buckets; recording goes on meanwhile, so a snapshot may miss calls recorded during the copy.</summary>
    public LatencySnapshot Snapshot()
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Volatile.Read(ref _counts[i]);
        }

        return new LatencySnapshot(counts, Volatile.Read(ref _maxMicros));
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
        return Math.Min(index, BucketCount - 1);
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
