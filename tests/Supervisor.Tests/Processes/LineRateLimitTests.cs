using Microsoft.Extensions.Time.Testing;
using Supervisor.Processes;

namespace Supervisor.Tests.Processes;

/// <summary>The token bucket over an instance's output lines.</summary>
[TestClass]
public sealed class LineRateLimitTests
{
    [TestMethod]
    public void A_burst_passes_then_lines_pass_at_the_rate_and_the_rest_are_counted()
    {
        var time = new FakeTimeProvider();
        var limit = new LineRateLimit(burst: 10, linesPerSecond: 4, time);

        var first = Take(limit, 15);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = Take(limit, 15);

        Assert.AreEqual(10, first);
        Assert.AreEqual(4, second);
        Assert.AreEqual((16L, 16L), limit.TakeDropped());
        Assert.AreEqual((0L, 16L), limit.TakeDropped(), "the count since the last report starts again; the total stays");
    }

    [TestMethod]
    public void A_quiet_period_refills_the_bucket_only_up_to_the_burst()
    {
        var time = new FakeTimeProvider();
        var limit = new LineRateLimit(burst: 10, linesPerSecond: 4, time);
        Take(limit, 10);

        time.Advance(TimeSpan.FromHours(1));

        Assert.AreEqual(10, Take(limit, 100));
    }

    private static int Take(LineRateLimit limit, int lines)
    {
        var taken = 0;
        for (var i = 0; i < lines; i++)
        {
            taken += limit.TryTake() ? 1 : 0;
        }

        return taken;
    }
}
