using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Benchmarks.Results;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// What one plugin process costs to bring up and to keep: the echo sample framework-dependent with the JIT
/// (<c>echo</c> 1.0.0), published as the template publishes a JIT plugin (<c>echo-composite</c> 1.0.0:
/// self-contained, trimmed, one ReadyToRun composite image) and as Native AOT (<c>echo-aot</c> 1.0.0), each started
/// fresh with the handshake variables, timed from the process start to its first successful <c>HandleEvent</c>
/// reply, then its resident memory read once it has settled. Each round starts every build
/// <see cref="StartsPerRound"/> times, interleaved, and takes the median: one start moved by ±20% from one to the
/// next on the 2-core VM, which a median of a round's single starts did not even out in 7 rounds.
/// </summary>
internal sealed class PluginStartScenario
{
    public const string AotPlugin = "echo-aot";
    public const string CompositePlugin = "echo-composite";
    public const int StartsPerRound = 3;

    // After the first reply the JIT still compiles in the background and the pools fill; a short pause lets the
    // figure be the idle footprint rather than that transient.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly BenchmarkPaths _paths;
    private readonly HandleEventRequest _request;
    private readonly TextWriter _progress;

    public PluginStartScenario(BenchmarkPaths paths, Event pluginEvent, TextWriter progress)
    {
        _paths = paths;
        _request = new HandleEventRequest { Event = pluginEvent };
        _progress = progress;
    }

    public async Task<IReadOnlyList<PluginStartRound>> MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        var jit = new Build(_paths.EchoExecutable, EchoEvent.Plugin, "jit");
        var composite = _paths.HasEchoComposite ? new Build(_paths.EchoCompositeExecutable, CompositePlugin, "composite") : null;
        var aot = _paths.HasEchoAot ? new Build(_paths.EchoAotExecutable, AotPlugin, "aot") : null;
        if (composite is null)
        {
            await _progress.WriteLineAsync($"{ScenarioNames.PluginStart}: {CompositePlugin} is not published, so the template's publish is not measured").ConfigureAwait(false);
        }

        if (aot is null)
        {
            await _progress.WriteLineAsync($"{ScenarioNames.PluginStart}: {AotPlugin} is not published (Native AOT needs clang), so it is not measured").ConfigureAwait(false);
        }

        Build[] builds = [jit, .. new[] { composite, aot }.OfType<Build>()];
        var results = new List<PluginStartRound>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            // Other load on the machine during the round, as the throughput rounds report it: a start is a few tens of
            // milliseconds, so a neighbour's burst moves it more than any change to the plugin.
            var cpuAtStart = CpuContention.Take();
            // Rotating which build goes first spreads any warm-cache advantage of going later over all of them. The
            // memory is read on each build's last start of the round, after the pause it needs.
            var starts = builds.ToDictionary(b => b, _ => new List<double>(StartsPerRound));
            var memory = new Dictionary<Build, double>();
            for (var start = 1; start <= StartsPerRound; start++)
            {
                var readMemory = start == StartsPerRound;
                for (var i = 0; i < builds.Length; i++)
                {
                    var build = builds[(round + i) % builds.Length];
                    var sample = await MeasureOneAsync(build.Executable, build.Plugin, $"{build.Label}{round}-{start}", readMemory, cancellationToken).ConfigureAwait(false);
                    starts[build].Add(sample.StartMillis);
                    if (readMemory)
                    {
                        memory[build] = sample.RssMb;
                    }
                }
            }

            var samples = builds.ToDictionary(b => b, b => new Sample(Median.Of(starts[b]), memory[b]));
            var j = samples[jit];
            Sample? c = composite is null ? null : samples[composite];
            Sample? a = aot is null ? null : samples[aot];
            results.Add(new PluginStartRound(j.StartMillis, j.RssMb, c?.StartMillis, c?.RssMb, a?.StartMillis, a?.RssMb));
            var other = CpuContention.OtherPercent(cpuAtStart, CpuContention.Take());
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ScenarioNames.PluginStart} round {round}/{rounds}: jit {j.StartMillis:0} ms, {j.RssMb:0.0} MiB; composite {c?.StartMillis:0} ms, {c?.RssMb:0.0} MiB; aot {a?.StartMillis:0} ms, {a?.RssMb:0.0} MiB; other processes {other:0}% CPU")).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<Sample> MeasureOneAsync(string executable, string plugin, string instanceId, bool readMemory, CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(_paths.TempDirectory, instanceId + ".sock");
        var started = Stopwatch.GetTimestamp();
        var process = await HandshakePlugin.StartAsync(executable, plugin, EchoEvent.Version, socketPath, instanceId, ReadyTimeout, cancellationToken).ConfigureAwait(false);
        await using (process.ConfigureAwait(false))
        {
            var reply = await process.Client.HandleEventAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
            var startMillis = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            EchoEvent.Verify(ScenarioNames.PluginStart, _request.Event, reply.Payload);

            if (!readMemory)
            {
                return new Sample(startMillis, double.NaN);
            }

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            return new Sample(startMillis, ResidentMemory.MegabytesOf(process.ProcessId));
        }
    }

    private readonly record struct Sample(double StartMillis, double RssMb);

    private sealed record Build(string Executable, string Plugin, string Label);
}
