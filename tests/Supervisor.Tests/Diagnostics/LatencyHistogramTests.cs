using Supervisor.Diagnostics;

namespace Supervisor.Tests.Diagnostics;

[TestClass]
public sealed class LatencyHistogramTests
{
    [TestMethod]
    public void Percentiles_are_within_the_bucket_precision()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 1; micros <= 10_000; micros++)
        {
            histogram.Record(TimeSpan.FromMicroseconds(micros));
        }

        var snapshot = histogram.Snapshot();
        AssertNear(5_000, snapshot.Percentile(0.50).TotalMicroseconds);
        AssertNear(9_900, snapshot.Percentile(0.99).TotalMicroseconds);
        Assert.AreEqual(10_000, snapshot.Max.TotalMicroseconds);
        Assert.AreEqual(10_000, snapshot.Count);
    }

    [TestMethod]
    public void An_empty_histogram_reports_zero()
    {
        Assert.AreEqual(TimeSpan.Zero, new LatencyHistogram().Snapshot().Percentile(0.99));
    }

    [TestMethod]
    public void A_snapshot_since_an_earlier_one_holds_only_the_calls_in_between()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(TimeSpan.FromMicroseconds(100));
        }

        var before = histogram.Snapshot();
        for (var i = 0; i < 10; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(50));
        }

        var step = histogram.Snapshot().Since(before);
        Assert.AreEqual(10, step.Count);
        AssertNear(50_000, step.Percentile(0.99).TotalMicroseconds);

        // Added together, the slow calls are 1% of the whole: p99 stays at the fast calls' latency.
        var whole = before.Plus(step);
        Assert.AreEqual(1010, whole.Count);
        AssertNear(100, whole.Percentile(0.5).TotalMicroseconds);
    }

    [TestMethod]
    public void Bucket_bounds_contain_their_values()
    {
        foreach (var micros in new long[] { 0, 1, 7, 8, 15, 16, 17, 1000, 123_456, 10_000_000_000 })
        {
            var bucket = LatencyHistogram.BucketOf(micros);
            Assert.IsGreaterThanOrEqualTo(micros, LatencyHistogram.UpperBoundOf(bucket), $"value {micros}");
            if (bucket > 0)
            {
                Assert.IsLessThan(micros, LatencyHistogram.UpperBoundOf(bucket - 1), $"value {micros}");
            }
        }
    }

    private static void AssertNear(double expected, double actual) =>
        Assert.IsTrue(Math.Abs(actual - expected) <= expected * 0.125, $"expected about {expected}, got {actual}");
}
