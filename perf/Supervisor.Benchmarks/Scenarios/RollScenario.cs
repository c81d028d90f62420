using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;
using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// A roll under steady load: callers dispatch to an embedded supervisor's echo (2 instances) throughout; the p99 of
/// calls started during a steady window is compared with the p99 of calls started while echo rolls to 2.0.0 and
/// back, and every failed call is counted (the target is none).
/// </summary>
internal sealed class RollScenario
{
    private const string NewVersion = "2.0.0";
    private const int Steady = 1;
    private const int Rolling = 2;
    private const int Stopped = 3;
    private static readonly TimeSpan Warmup = TimeSpan.FromMilliseconds(500);
    private readonly BenchmarkPaths _paths;
    private readonly Event _event;
    private readonly TextWriter _progress;
    private int _phase;

    public RollScenario(BenchmarkPaths paths, Event pluginEvent, TextWriter progress)
    {
        _paths = paths;
        _event = pluginEvent;
        _progress = progress;
    }

    public async Task<IReadOnlyList<RollRound>> MeasureAsync(int rounds, int callers, TimeSpan steadyWindow, CancellationToken cancellationToken)
    {
        var results = new List<RollRound>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var result = await MeasureRoundAsync(round, callers, steadyWindow, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ScenarioNames.Roll} round {round}/{rounds}: {result.Failed} of {result.Calls} calls failed; p99 steady {result.SteadyP99Micros:0} us, rolling {result.RollP99Micros:0} us ({result.RollSeconds:0.00} s to {NewVersion} and back)")).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<RollRound> MeasureRoundAsync(int round, int callers, TimeSpan steadyWindow, CancellationToken cancellationToken)
    {
        var options = EmbeddedOptions.Create(_paths, Path.Combine(_paths.TempDirectory, $"roll{round}"), EchoEvent.Plugin, new PluginOptions
        {
            Version = EchoEvent.Version,
            Instances = 2,
            Deadline = TimeSpan.FromSeconds(10),
            DrainTimeout = TimeSpan.FromSeconds(10),
        });
        var supervisor = new PluginSupervisor(options);
        await using (supervisor.ConfigureAwait(false))
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _phase, 0);
            var loops = Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallLoopAsync(supervisor), CancellationToken.None)).ToArray();
            await Task.Delay(Warmup, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _phase, Steady);
            await Task.Delay(steadyWindow, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _phase, Rolling);
            var rollStarted = Stopwatch.GetTimestamp();
            await supervisor.RollPluginAsync(EchoEvent.Plugin, NewVersion, wait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            await supervisor.RollbackPluginAsync(EchoEvent.Plugin, wait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            var rollSeconds = Stopwatch.GetElapsedTime(rollStarted).TotalSeconds;
            Volatile.Write(ref _phase, Stopped);
            var callerResults = await Task.WhenAll(loops).ConfigureAwait(false);

            var steady = Merge(callerResults.Select(r => r.Steady));
            var rolling = Merge(callerResults.Select(r => r.Rolling));
            return new RollRound(
                callerResults.Sum(r => r.Failed),
                steady.Count + rolling.Count,
                steady.PercentileMicros(0.99),
                rolling.PercentileMicros(0.99),
                rollSeconds);
        }
    }

    private async Task<CallerResult> CallLoopAsync(PluginSupervisor supervisor)
    {
        var result = new CallerResult();
        while (true)
        {
            var phase = Volatile.Read(ref _phase);
            if (phase == Stopped)
            {
                return result;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await supervisor.DispatchAsync(EchoEvent.Plugin, _event).ConfigureAwait(false);
            }
            catch (DispatchException)
            {
                result.Failed++;
                continue;
            }

            var elapsed = Stopwatch.GetTimestamp() - started;
            (phase == Steady ? result.Steady : phase == Rolling ? result.Rolling : null)?.Add(elapsed);
        }
    }

    private static LatencyRecorder Merge(IEnumerable<List<long>> perCaller)
    {
        var all = perCaller.SelectMany(l => l).ToList();
        var recorder = new LatencyRecorder(Math.Max(all.Count, 1));
        foreach (var ticks in all)
        {
            recorder.Record(ticks);
        }

        return recorder;
    }

    private sealed class CallerResult
    {
        public List<long> Steady { get; } = [];

        public List<long> Rolling { get; } = [];

        public int Failed { get; set; }
    }
}
