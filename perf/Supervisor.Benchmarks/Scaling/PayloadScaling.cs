using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;
using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks.Scaling;

/// <summary>
/// How cost grows with the payload: the floor, embedded and events API hops, already started and warm, each
/// carry events of every <see cref="BenchmarkSettings.PayloadSizes"/> in interleaved rounds (every size and hop
/// once a round), so the ratios at one size compare figures taken seconds apart.
/// </summary>
internal sealed class PayloadScaling
{
    private readonly BenchmarkSettings _settings;
    private readonly BenchmarkRunner _runner;
    private readonly TextWriter _progress;

    public PayloadScaling(BenchmarkSettings settings, BenchmarkRunner runner, TextWriter progress)
    {
        _settings = settings;
        _runner = runner;
        _progress = progress;
    }

    public async Task<IReadOnlyList<PayloadRound>> MeasureAsync(IHopScenario floor, EmbeddedScenario embedded, EventsApiScenario eventsApi, CancellationToken cancellationToken)
    {
        var sized = new List<SizedCallers>(_settings.PayloadSizes.Count);
        foreach (var size in _settings.PayloadSizes)
        {
            var pluginEvent = EchoEvent.Create(size.Bytes);
            var callers = new SizedCallers(
                size,
                pluginEvent,
                await floor.CallerForAsync(pluginEvent, cancellationToken).ConfigureAwait(false),
                await embedded.CallerForAsync(pluginEvent, cancellationToken).ConfigureAwait(false),
                await eventsApi.CallerForAsync(pluginEvent, cancellationToken).ConfigureAwait(false));
            sized.Add(callers);

            // The hops are warm from the 1 KiB rounds; this warms what only a large message uses (more frames,
            // window updates, larger pooled buffers).
            foreach (var caller in (ICaller[])[callers.Floor, callers.Embedded, callers.EventsApi])
            {
                await ThroughputRunner.MeasureAsync(caller, _settings.Callers, TimeSpan.Zero, _settings.RoundWarmup, cancellationToken).ConfigureAwait(false);
            }
        }

        var results = new List<PayloadRound>(_settings.PayloadRounds * sized.Count);
        for (var round = 1; round <= _settings.PayloadRounds; round++)
        {
            var line = new List<string>(sized.Count);
            foreach (var callers in sized)
            {
                var samples = callers.Size.LatencySamples;
                var result = new PayloadRound(
                    callers.Size.Bytes,
                    await _runner.MeasureAsync(callers.Floor, samples, _settings.ScalingWindow, cancellationToken).ConfigureAwait(false),
                    await _runner.MeasureAsync(callers.Embedded, samples, _settings.ScalingWindow, cancellationToken).ConfigureAwait(false),
                    await _runner.MeasureAsync(callers.EventsApi, samples, _settings.ScalingWindow, cancellationToken).ConfigureAwait(false),
                    await embedded.MeasureAllocatedBytesPerDispatchAsync(callers.Event, callers.Size.AllocationCalls, cancellationToken).ConfigureAwait(false),
                    await eventsApi.MeasureHostAllocatedBytesPerDispatchAsync(callers.Event, callers.Size.AllocationCalls, cancellationToken).ConfigureAwait(false));
                results.Add(result);
                line.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Bytes / 1024} KiB p50 {result.Floor.P50Micros:0}/{result.Embedded.P50Micros:0}/{result.EventsApi.P50Micros:0} us, rps {result.Floor.RequestsPerSecond:0}/{result.Embedded.RequestsPerSecond:0}/{result.EventsApi.RequestsPerSecond:0}, B beyond the payload {result.EmbeddedAllocatedBytes - result.Bytes:0} embedded, {result.EventsHostAllocatedBytes - (2 * result.Bytes):0} in the host beyond its two"));
            }

            await _progress.WriteLineAsync($"{ScenarioNames.Payload} round {round}/{_settings.PayloadRounds} (floor/embedded/events): {string.Join("; ", line)}").ConfigureAwait(false);
        }

        return results;
    }

    private sealed record SizedCallers(PayloadSize Size, Protocol.Plugin.V1.Event Event, ICaller Floor, ICaller Embedded, ICaller EventsApi);
}
