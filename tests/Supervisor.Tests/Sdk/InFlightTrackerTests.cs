using Microsoft.Extensions.Time.Testing;
using Supervisor.PluginSdk.Shim;

namespace Supervisor.Tests.Sdk;

[TestClass]
public sealed class InFlightTrackerTests
{
    [TestMethod]
    public void Handlers_past_their_deadline_are_counted_with_the_longest_overrun()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new InFlightTracker(time);
        var now = time.GetUtcNow().UtcDateTime;
        tracker.Begin(now.AddMilliseconds(100));
        var finished = tracker.Begin(now.AddMilliseconds(200));
        tracker.Begin(DateTime.MaxValue);

        time.Advance(TimeSpan.FromMilliseconds(700));
        tracker.End(finished);

        Assert.AreEqual(2, tracker.Count);
        Assert.AreEqual((1, TimeSpan.FromMilliseconds(600)), tracker.Overdue());
    }

    [TestMethod]
    public async Task Waiting_for_idle_completes_when_the_last_handler_ends_or_times_out()
    {
        var tracker = new InFlightTracker(TimeProvider.System);
        var id = tracker.Begin(DateTime.MaxValue);

        var idle = tracker.WaitIdleAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.IsFalse(idle.IsCompleted);
        tracker.End(id);

        Assert.IsTrue(await idle.WaitAsync(TimeSpan.FromSeconds(10)));
        tracker.Begin(DateTime.MaxValue);
        Assert.IsFalse(await tracker.WaitIdleAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }
}
