using Microsoft.Extensions.Time.Testing;
using Supervisor.Configuration;
using Supervisor.Supervision;

namespace Supervisor.Tests.Supervision;

[TestClass]
public sealed class RestartPolicyTests
{
    private static readonly PluginOptions Defaults = new() { Version = "1.0.0" };

    [TestMethod]
    public void Delays_double_from_RestartDelay_up_to_RestartMaxDelay()
    {
        var policy = new RestartPolicy(Defaults, new FakeTimeProvider(), random: () => 0.5);

        Assert.AreEqual(TimeSpan.FromMilliseconds(100), policy.Delay(1));
        Assert.AreEqual(TimeSpan.FromMilliseconds(200), policy.Delay(2));
        Assert.AreEqual(TimeSpan.FromMilliseconds(400), policy.Delay(3));
        Assert.AreEqual(TimeSpan.FromSeconds(30), policy.Delay(20));
        Assert.AreEqual(TimeSpan.FromSeconds(30), policy.Delay(int.MaxValue));
    }

    [TestMethod]
    public void Jitter_stays_within_twenty_percent_and_never_exceeds_the_cap()
    {
        var low = new RestartPolicy(Defaults, new FakeTimeProvider(), random: () => 0.0);
        var high = new RestartPolicy(Defaults, new FakeTimeProvider(), random: () => 0.999999);

        Assert.AreEqual(TimeSpan.FromMilliseconds(320), low.Delay(3));
        Assert.IsTrue(high.Delay(3) > TimeSpan.FromMilliseconds(479) && high.Delay(3) <= TimeSpan.FromMilliseconds(480));
        Assert.AreEqual(TimeSpan.FromSeconds(30), high.Delay(30));
    }

    [TestMethod]
    public void An_instance_that_ran_60_seconds_restarts_with_the_first_delay_again()
    {
        var policy = new RestartPolicy(Defaults, new FakeTimeProvider(), random: () => 0.5);

        var afterCrashLoop = policy.OnExit(consecutiveFailures: 4, ranFor: TimeSpan.FromSeconds(2));
        var afterCleanRun = policy.OnExit(consecutiveFailures: 5, ranFor: TimeSpan.FromSeconds(61));

        Assert.AreEqual(TimeSpan.FromMilliseconds(800), afterCrashLoop.Delay);
        Assert.AreEqual(TimeSpan.FromMilliseconds(100), afterCleanRun.Delay);
    }

    [TestMethod]
    public void More_than_MaxRestarts_within_RestartWindow_quarantines()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(new PluginOptions { Version = "1.0.0", MaxRestarts = 3, RestartWindow = TimeSpan.FromSeconds(60) }, time);

        for (var i = 1; i <= 3; i++)
        {
            Assert.IsFalse(policy.OnExit(i, TimeSpan.Zero).Quarantined, $"restart {i}");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var fourth = policy.OnExit(4, TimeSpan.Zero);

        Assert.IsTrue(fourth.Quarantined);
        Assert.AreEqual(3, fourth.RecentRestarts);
    }

    [TestMethod]
    public void Restarts_older_than_the_window_no_longer_count()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(new PluginOptions { Version = "1.0.0", MaxRestarts = 2, RestartWindow = TimeSpan.FromSeconds(10) }, time);
        policy.OnExit(1, TimeSpan.Zero);
        policy.OnExit(2, TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.IsFalse(policy.OnExit(3, TimeSpan.Zero).Quarantined);
    }

    [TestMethod]
    public void Reset_forgets_past_restarts()
    {
        var policy = new RestartPolicy(new PluginOptions { Version = "1.0.0", MaxRestarts = 1 }, new FakeTimeProvider());
        policy.OnExit(1, TimeSpan.Zero);
        Assert.IsTrue(policy.OnExit(2, TimeSpan.Zero).Quarantined);

        policy.Reset();

        Assert.IsFalse(policy.OnExit(1, TimeSpan.Zero).Quarantined);
    }
}
