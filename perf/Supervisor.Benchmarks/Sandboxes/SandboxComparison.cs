using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Sandboxes;

/// <summary>
/// What each sandbox layer costs, in one run: the .NET echo behind an embedded supervisor with the sandbox off, with
/// only its wrappers (setsid, setpriv's no_new_privs, rlimits), with one layer (identity, bubblewrap's namespaces,
/// cgroups), and with all of them. Start to first reply and 1 KiB throughput with 16 callers; rounds interleave the
/// variants in alternating order, and ratios to "off" are medians of per-round ratios.
/// </summary>
internal sealed class SandboxComparison
{
    /// <summary>The variants, "off" first: the others are reported as a ratio to it.</summary>
    public static readonly IReadOnlyList<(string Name, SandboxMode Mode, string[] Disable)> Variants =
    [
        ("off", SandboxMode.Off, []),
        ("wrappers", SandboxMode.Auto, ["identity", "namespaces", "cgroup"]),
        ("identity", SandboxMode.Auto, ["namespaces", "cgroup"]),
        ("bwrap", SandboxMode.Auto, ["identity", "cgroup"]),
        ("cgroups", SandboxMode.Auto, ["identity", "namespaces"]),
        ("all", SandboxMode.Auto, []),
    ];

    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public SandboxComparison(BenchmarkPaths paths, TextWriter progress)
    {
        _paths = paths;
        _progress = progress;
    }

    public async Task<SandboxReport> MeasureAsync(int rounds, int callers, TimeSpan window, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var samples = Variants.ToDictionary(v => v.Name, _ => new List<Sample>());
        var applied = new Dictionary<string, string>();
        var pluginEvent = EchoEvent.Create();

        // An unrecorded start first: the engine's own code is JIT-compiled on first use, which must land on no variant.
        await MeasureOneAsync(Variants[0], pluginEvent, 1, TimeSpan.FromMilliseconds(200), "warmup", applied, cancellationToken).ConfigureAwait(false);
        for (var round = 1; round <= rounds; round++)
        {
            var line = new List<string>();
            var order = round % 2 == 1 ? Variants : Variants.Reverse().ToList();
            foreach (var variant in order)
            {
                var sample = await MeasureOneAsync(variant, pluginEvent, callers, window, $"{variant.Name}{round}", applied, cancellationToken).ConfigureAwait(false);
                samples[variant.Name].Add(sample);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{variant.Name} {sample.StartMillis:0} ms, {sample.RequestsPerSecond:0} rps"));
            }

            await _progress.WriteLineAsync($"sandbox round {round}/{rounds}: {string.Join("; ", line)}").ConfigureAwait(false);
        }

        var neighbours = new NoisyNeighbours(_paths);
        var calls = Math.Max(5, rounds * 4);
        var unlimited = await neighbours.MeasureAsync(SandboxMode.Off, calls, "neighbours-off", cancellationToken).ConfigureAwait(false);
        var limited = await neighbours.MeasureAsync(SandboxMode.Auto, calls, "neighbours-on", cancellationToken).ConfigureAwait(false);
        await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"sandbox neighbours: 300 ms deadlines answered in {unlimited.MedianMillis:0} ms (worst {unlimited.WorstMillis:0}) off, {limited.MedianMillis:0} ms (worst {limited.WorstMillis:0}) with CpuLimit")).ConfigureAwait(false);
        return SandboxReport.Create(startedAt, rounds, callers, window, samples, applied, new NeighbourFigures(calls, unlimited.MedianMillis, unlimited.WorstMillis, limited.MedianMillis, limited.WorstMillis));
    }

    private async Task<Sample> MeasureOneAsync((string Name, SandboxMode Mode, string[] Disable) variant, Event pluginEvent, int callers, TimeSpan window, string folder, Dictionary<string, string> applied, CancellationToken cancellationToken)
    {
        var options = EmbeddedOptions.Create(_paths, Path.Combine(_paths.TempDirectory, folder), EchoEvent.Plugin, new PluginOptions { Version = EchoEvent.Version, MaxConcurrency = 64 });
        options.Sandbox.Mode = variant.Mode;
        options.Sandbox.Disable = [.. variant.Disable];
        var started = Stopwatch.GetTimestamp();
        var supervisor = new PluginSupervisor(options);
        await using (supervisor.ConfigureAwait(false))
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
            var first = await supervisor.DispatchAsync(EchoEvent.Plugin, pluginEvent, cancellationToken: cancellationToken).ConfigureAwait(false);
            var startMillis = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            EchoEvent.Verify($"sandbox {variant.Name}", pluginEvent, first.Payload);

            // What this host actually applied, so the report never claims a layer it could not measure.
            applied[variant.Name] = string.Join(", ", supervisor.GetPlugin(EchoEvent.Plugin).Instances.Single().Sandbox.Layers.Where(l => l.Applied).Select(l => l.Name));
            var caller = new EchoCaller(supervisor, pluginEvent);
            var requestsPerSecond = await ThroughputRunner.MeasureAsync(caller, callers, Warmup, window, cancellationToken).ConfigureAwait(false);
            return new Sample(startMillis, requestsPerSecond);
        }
    }

    /// <summary>One round's figures for one variant.</summary>
    internal readonly record struct Sample(double StartMillis, double RequestsPerSecond);

    private sealed record EchoCaller(PluginSupervisor Supervisor, Event Event) : ICaller
    {
        public async ValueTask CallAsync() => await Supervisor.DispatchAsync(EchoEvent.Plugin, Event).ConfigureAwait(false);
    }
}
