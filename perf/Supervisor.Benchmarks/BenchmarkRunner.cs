using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks;

/// <summary>
/// Runs started scenarios in interleaved rounds (each scenario once per round, in turn), so a burst of
/// background load on the shared VM hits one round of every scenario rather than all rounds of one.
/// </summary>
internal sealed class BenchmarkRunner
{
    private readonly BenchmarkSettings _settings;
    private readonly TextWriter _progress;

    public BenchmarkRunner(BenchmarkSettings settings, TextWriter progress)
    {
        _settings = settings;
        _progress = progress;
    }

    /// <param name="embedded">Also measured for its allocations per dispatch each round, once its path is warm.</param>
    public async Task<RoundLog> RunAsync(IReadOnlyList<IScenario> scenarios, EmbeddedScenario embedded, Event pluginEvent, CancellationToken cancellationToken)
    {
        await WarmUpAsync(scenarios, pluginEvent, cancellationToken).ConfigureAwait(false);
        var log = new RoundLog();
        for (var round = 1; round <= _settings.Rounds; round++)
        {
            var line = new List<string>();
            var cpuAtStart = CpuContention.Take();
            foreach (var scenario in scenarios)
            {
                var figures = await MeasureAsync(scenario, _settings.LatencySamples, window: null, cancellationToken).ConfigureAwait(false);
                log.Add(scenario.Name, figures);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{scenario.Name} p50 {figures.P50Micros:0} us, {figures.RequestsPerSecond:0} rps"));
            }

            log.AllocatedBytesPerDispatch.Add(await embedded.MeasureAllocatedBytesPerDispatchAsync(pluginEvent, _settings.AllocationCalls, cancellationToken).ConfigureAwait(false));
            var direct = await InProcessDirect.MeasureNanosPerCallAsync(pluginEvent, _settings.DirectCalls).ConfigureAwait(false);
            log.DirectNanosPerCall.Add(direct);
            var other = CpuContention.OtherPercent(cpuAtStart, CpuContention.Take());
            if (other is { } percent)
            {
                log.OtherCpuPercent.Add(percent);
            }

            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"round {round}/{_settings.Rounds}: {string.Join("; ", line)}; embedded {log.AllocatedBytesPerDispatch[^1]:0} B allocated per dispatch; direct {direct:0.0} ns; other processes {other:0}% CPU")).ConfigureAwait(false);
        }

        return log;
    }

    /// <summary>
    /// Measures one in-process scenario on its own, after the others, in as many rounds. Interleaved, it would
    /// disturb them: its callers flood this process's thread pool, where the embedded supervisor's liveness polls
    /// then wait long enough to judge a healthy plugin hung and recycle it.
    /// </summary>
    public async Task MeasureAloneAsync(IScenario scenario, RoundLog log, CancellationToken cancellationToken)
    {
        // In process there is only this process's JIT to warm, and a round's own warm-up follows.
        await ThroughputRunner.MeasureAsync(scenario, _settings.Callers, TimeSpan.Zero, _settings.RoundWarmup, cancellationToken).ConfigureAwait(false);
        for (var round = 1; round <= _settings.Rounds; round++)
        {
            var figures = await MeasureAsync(scenario, _settings.LatencySamples, window: null, cancellationToken).ConfigureAwait(false);
            log.Add(scenario.Name, figures);
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{scenario.Name} round {round}/{_settings.Rounds}: p50 {figures.P50Micros:0.0} us, {figures.RequestsPerSecond:0} rps")).ConfigureAwait(false);
        }
    }

    // Tiered JIT needs many calls and some time before the hot paths reach their final code, in this process
    // and in the plugin and host processes; without this, round 1 would measure the JIT.
    private async Task WarmUpAsync(IReadOnlyList<IScenario> scenarios, Event pluginEvent, CancellationToken cancellationToken)
    {
        var half = _settings.InitialWarmup / 2;
        foreach (var scenario in scenarios)
        {
            await ThroughputRunner.MeasureAsync(scenario, _settings.Callers, TimeSpan.Zero, half, cancellationToken).ConfigureAwait(false);
            await SequentialRunner.WarmUpAsync(scenario, half, cancellationToken).ConfigureAwait(false);
        }

        await InProcessDirect.MeasureNanosPerCallAsync(pluginEvent, _settings.DirectCalls).ConfigureAwait(false);
        await _progress.WriteLineAsync($"warmed up ({_settings.InitialWarmup.TotalSeconds:0.#} s per scenario)").ConfigureAwait(false);
    }

    /// <summary>
    /// One round of one caller: a short warm-up, <paramref name="latencySamples"/> sequential calls, then the
    /// callers' throughput over <paramref name="window"/> (the run's throughput window when null).
    /// </summary>
    public async Task<HopRound> MeasureAsync(ICaller caller, int latencySamples, TimeSpan? window, CancellationToken cancellationToken)
    {
        await SequentialRunner.WarmUpAsync(caller, _settings.RoundWarmup, cancellationToken).ConfigureAwait(false);
        var latency = await SequentialRunner.MeasureAsync(caller, latencySamples, cancellationToken).ConfigureAwait(false);
        var before = CpuContention.Take();
        var clock = Stopwatch.StartNew();
        var rps = await ThroughputRunner.MeasureAsync(caller, _settings.Callers, _settings.ThroughputRamp, window ?? _settings.ThroughputWindow, cancellationToken).ConfigureAwait(false);
        var after = CpuContention.Take();
        var calls = rps * clock.Elapsed.TotalSeconds;
        return new HopRound(latency.PercentileMicros(0.50), latency.PercentileMicros(0.99), rps, CpuContention.TreeMicrosPerCall(before, after, calls), CpuContention.SplitMicrosPerCall(before, after, calls));
    }
}
