using System.Diagnostics;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// Concurrent callers, each keeping one call in flight, counted over a fixed window that opens only after a
/// ramp, so connection set-up and the callers' start are not in the figure.
/// </summary>
internal static class ThroughputRunner
{
    /// <returns>Completed calls per second within the window.</returns>
    public static async Task<double> MeasureAsync(ICaller caller, int callers, TimeSpan ramp, TimeSpan window, CancellationToken cancellationToken)
    {
        var state = new RunState();
        var tasks = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            tasks[i] = CallerAsync(caller, state);
        }

        try
        {
            await Task.Delay(ramp, cancellationToken).ConfigureAwait(false);
            var firstCount = Volatile.Read(ref state.Completed);
            var firstTime = Stopwatch.GetTimestamp();
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            var lastCount = Volatile.Read(ref state.Completed);
            var elapsed = Stopwatch.GetElapsedTime(firstTime);
            return (lastCount - firstCount) / elapsed.TotalSeconds;
        }
        finally
        {
            // Callers finish their in-flight call rather than being cancelled, so no call fails on the way out.
            Volatile.Write(ref state.Stopping, true);
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }

    private static async Task CallerAsync(ICaller caller, RunState state)
    {
        // Returns to the starter at once, so all callers get going before the ramp is timed.
        await Task.Yield();
        while (!Volatile.Read(ref state.Stopping))
        {
            await caller.CallAsync().ConfigureAwait(false);
            Interlocked.Increment(ref state.Completed);
        }
    }

    private sealed class RunState
    {
        public long Completed;
        public bool Stopping;
    }
}
