using System.Diagnostics;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>One caller, one call at a time: the latency a single request sees when nothing queues.</summary>
internal static class SequentialRunner
{
    /// <summary>Calls back to back for <paramref name="duration"/> without recording, to warm the JIT, pools and connections.</summary>
    public static async Task WarmUpAsync(ICaller caller, TimeSpan duration, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await caller.CallAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records the latency of <paramref name="samples"/> consecutive calls.</summary>
    public static async Task<LatencyRecorder> MeasureAsync(ICaller caller, int samples, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder(samples);
        for (var i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            await caller.CallAsync().ConfigureAwait(false);
            recorder.Record(Stopwatch.GetTimestamp() - started);
        }

        return recorder;
    }
}
