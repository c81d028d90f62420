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

        AssertNear(5_000, histogram.Percentile(0.50).TotalMicroseconds);
        AssertNear(9_900, histogram.Percentile(0.99).TotalMicroseconds);
        Assert.AreEqual(10_000, histogram.Max.TotalMicroseconds);
        Assert.AreEqual(10_000, histogram.Count);
    }

    [TestMethod]
    public void An_empty_histogram_reports_zero()
    {
        Assert.AreEqual(TimeSpan.Zero, new LatencyHistogram().Percentile(0.99));
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
