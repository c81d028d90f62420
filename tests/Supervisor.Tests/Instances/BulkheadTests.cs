using Microsoft.Extensions.Time.Testing;
using Supervisor.Instances;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Instances;

/// <summary>The bulkhead's permits, queue and deadline shedding, on a fake clock.</summary>
[TestClass]
public sealed class BulkheadTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private DateTime In(double seconds) => _time.GetUtcNow().UtcDateTime.AddSeconds(seconds);

    [TestMethod]
    public async Task Free_permits_are_taken_at_once_and_a_returned_permit_goes_to_the_oldest_queued_call()
    {
        var bulkhead = new Bulkhead(permits: 2, queueLimit: 4, _time);
        Assert.IsTrue(bulkhead.TryEnter());
        Assert.IsTrue(bulkhead.TryEnter());
        Assert.IsFalse(bulkhead.TryEnter());

        var first = bulkhead.EnterAsync(In(10), CancellationToken.None).AsTask();
        var second = bulkhead.EnterAsync(In(10), CancellationToken.None).AsTask();
        bulkhead.Exit(TimeSpan.FromMilliseconds(10));
        await first.DefaultTimeout();

        Assert.IsFalse(second.IsCompleted, "one permit came back: only the oldest waiter gets it");
        bulkhead.Exit(TimeSpan.FromMilliseconds(10));
        await second.DefaultTimeout();
        Assert.IsFalse(bulkhead.TryEnter(), "both returned permits went to the waiters");
    }

    [TestMethod]
    public async Task A_full_queue_rejects_at_once_naming_the_limits()
    {
        var bulkhead = new Bulkhead(permits: 1, queueLimit: 1, _time);
        Assert.IsTrue(bulkhead.TryEnter());
        var queued = bulkhead.EnterAsync(In(10), CancellationToken.None).AsTask();

        var rejected = await Assert.ThrowsExactlyAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(In(10), CancellationToken.None).AsTask());

        StringAssert.Contains(rejected.Message, "MaxConcurrency (1)");
        StringAssert.Contains(rejected.Message, "QueueLimit 1");
        Assert.IsFalse(queued.IsCompleted);
    }

    [TestMethod]
    public async Task A_call_that_cannot_finish_by_its_deadline_at_the_observed_service_time_is_shed_at_once()
    {
        var bulkhead = new Bulkhead(permits: 2, queueLimit: 100, _time);
        Assert.IsTrue(bulkhead.TryEnter());
        Assert.IsTrue(bulkhead.TryEnter());
        bulkhead.Exit(TimeSpan.FromSeconds(1));
        Assert.IsTrue(bulkhead.TryEnter());

        // Service time 1 s, 2 permits: with nobody ahead a call needs about 2 s (the running round, then its own).
        var fits = bulkhead.EnterAsync(In(2.5), CancellationToken.None).AsTask();
        var shed = await Assert.ThrowsExactlyAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(In(1.5), CancellationToken.None).AsTask());

        StringAssert.Contains(shed.Message, "1 call(s) queued ahead");
        StringAssert.Contains(shed.Message, "service time of 1000 ms");
        Assert.IsFalse(fits.IsCompleted);
    }

    [TestMethod]
    public async Task Queued_calls_whose_chance_has_passed_are_shed_when_a_permit_moves()
    {
        var bulkhead = new Bulkhead(permits: 1, queueLimit: 100, _time);
        Assert.IsTrue(bulkhead.TryEnter());

        // No service time known yet: nothing is shed on arrival.
        var waiters = Enumerable.Range(0, 5).Select(_ => bulkhead.EnterAsync(In(4.5), CancellationToken.None).AsTask()).ToArray();
        Assert.IsFalse(waiters.Any(w => w.IsCompleted));

        // The first call took 1 s; the head of the queue gets the permit, and of the four behind it, each a second
        // further back, only those that can still finish within the 3.5 s left stay.
        _time.Advance(TimeSpan.FromSeconds(1));
        bulkhead.Exit(TimeSpan.FromSeconds(1));

        await waiters[0].DefaultTimeout();
        Assert.IsFalse(waiters[1].IsCompleted, "behind the running call: done in 2 s, fits");
        Assert.IsFalse(waiters[2].IsCompleted, "behind two: done in 3 s, fits");
        await Assert.ThrowsExactlyAsync<BulkheadRejectedException>(() => waiters[3]);
        await Assert.ThrowsExactlyAsync<BulkheadRejectedException>(() => waiters[4]);
    }

    [TestMethod]
    public async Task A_queued_call_ends_at_its_deadline_and_gives_up_its_place()
    {
        var bulkhead = new Bulkhead(permits: 1, queueLimit: 1, _time);
        Assert.IsTrue(bulkhead.TryEnter());
        var expiring = bulkhead.EnterAsync(In(1), CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<OperationCanceledException>(() => expiring).DefaultTimeout();
        var next = bulkhead.EnterAsync(In(10), CancellationToken.None).AsTask();
        bulkhead.Exit(TimeSpan.Zero);
        await next.DefaultTimeout();
    }
}
