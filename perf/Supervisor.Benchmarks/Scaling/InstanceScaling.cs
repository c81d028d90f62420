using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scaling;

/// <summary>
/// How cost grows with instances: the embedded hop with its calls spread over 1, 2, 4… echo instances, in
/// interleaved rounds. The one-instance supervisor is the run's own embedded scenario; the others start here and
/// stop when the rounds end.
/// </summary>
internal sealed class InstanceScaling
{
    private readonly BenchmarkSettings _settings;
    private readonly BenchmarkRunner _runner;
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public InstanceScaling(BenchmarkSettings settings, BenchmarkRunner runner, BenchmarkPaths paths, TextWriter progress)
    {
        _settings = settings;
        _runner = runner;
        _paths = paths;
        _progress = progress;
    }

    public async Task<IReadOnlyList<InstanceRound>> MeasureAsync(EmbeddedScenario single, Event pluginEvent, CancellationToken cancellationToken)
    {
        var started = new List<IScenario>();
        try
        {
            var supervisors = new List<(int Instances, IScenario Scenario)>(_settings.InstanceCounts.Count);
            foreach (var instances in _settings.InstanceCounts)
            {
                if (instances == 1)
                {
                    supervisors.Add((instances, single));
                    continue;
                }

                var scenario = new EmbeddedScenario(_paths, pluginEvent, instances);
                started.Add(scenario);
                await scenario.StartAsync(cancellationToken).ConfigureAwait(false);

                // StartAsync returns once one call succeeded; the JIT of a fresh supervisor's path and every
                // instance's first calls must not land in round 1. Each instance sees 1/N of the calls and tiers its
                // code up on its own, so the warm-up is the single instance's whole one: with a quarter of it, round 1
                // of 4 instances was the run's lowest or near it (×0.60–0.78 of one instance in five full runs whose
                // medians were ×0.76–0.86).
                await ThroughputRunner.MeasureAsync(scenario, _settings.Callers, TimeSpan.Zero, _settings.InitialWarmup, cancellationToken).ConfigureAwait(false);
                supervisors.Add((instances, scenario));
            }

            var results = new List<InstanceRound>(_settings.InstanceRounds * supervisors.Count);
            for (var round = 1; round <= _settings.InstanceRounds; round++)
            {
                var line = new List<string>(supervisors.Count);
                foreach (var (instances, scenario) in supervisors)
                {
                    var figures = await _runner.MeasureAsync(scenario, _settings.LatencySamples, _settings.ScalingWindow, cancellationToken).ConfigureAwait(false);
                    results.Add(new InstanceRound(round, instances, figures));
                    line.Add(string.Create(CultureInfo.InvariantCulture, $"x{instances} p50 {figures.P50Micros:0} us, {figures.RequestsPerSecond:0} rps{(figures.CpuSplit is { } cpu ? $", cpu us/call {cpu.Callers:0}/{cpu.Plugins:0}" : string.Empty)}"));
                }

                await _progress.WriteLineAsync($"{ScenarioNames.Instances} round {round}/{_settings.InstanceRounds}: {string.Join("; ", line)}").ConfigureAwait(false);
            }

            return results;
        }
        finally
        {
            await Teardown.StopAllAsync(started, _progress).ConfigureAwait(false);
        }
    }
}
