using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Sdks;

/// <summary>
/// The echo sample of each SDK (<c>echo</c>, <c>echo-node</c>, <c>echo-python</c>: whichever are published) in one
/// run, each behind its own embedded supervisor: start to first reply (supervisor start included, the same for
/// every SDK), the plugin's idle resident memory, and 1 KiB echo throughput with 16 callers. Rounds interleave the
/// SDKs, in alternating order, so a change in the machine's load lands on all of them; ratios are medians of per-round
/// ratios.
/// </summary>
internal sealed class SdkComparison
{
    /// <summary>The SDKs and their echo samples, .NET first: the others are reported as a ratio to it.</summary>
    public static readonly IReadOnlyList<(string Sdk, string Plugin)> Echoes = [("dotnet", "echo"), ("node", "echo-node"), ("python", "echo-python")];

    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public SdkComparison(BenchmarkPaths paths, TextWriter progress)
    {
        _paths = paths;
        _progress = progress;
    }

    public async Task<SdkReport> MeasureAsync(int rounds, int callers, TimeSpan window, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var published = new List<(string Sdk, string Plugin)>();
        foreach (var echo in Echoes)
        {
            if (File.Exists(PluginManifest.PathOf(_paths.PluginsRoot, echo.Plugin, EchoEvent.Version)))
            {
                published.Add(echo);
            }
            else
            {
                await _progress.WriteLineAsync($"sdks: {echo.Plugin} {EchoEvent.Version} is not published, so {echo.Sdk} is left out").ConfigureAwait(false);
            }
        }

        var samples = published.ToDictionary(p => p.Sdk, _ => new List<Sample>());
        var pluginEvent = EchoEvent.Create();
        if (published.Count > 0)
        {
            // An unrecorded start first: the engine's own code in this process is JIT-compiled on its first use, and
            // that must not land on whichever SDK goes first in round 1.
            await MeasureOneAsync(published[0].Plugin, pluginEvent, 1, TimeSpan.FromMilliseconds(200), "warmup", cancellationToken).ConfigureAwait(false);
        }

        for (var round = 1; round <= rounds; round++)
        {
            var line = new List<string>();
            // Alternating the order spreads any advantage of going first (or second) over every SDK.
            var order = round % 2 == 1 ? published : published.AsEnumerable().Reverse().ToList();
            foreach (var (sdk, plugin) in order)
            {
                var sample = await MeasureOneAsync(plugin, pluginEvent, callers, window, $"{sdk}{round}", cancellationToken).ConfigureAwait(false);
                samples[sdk].Add(sample);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{sdk} {sample.StartMillis:0} ms, {sample.RssMb:0.0} MiB, {sample.RequestsPerSecond:0} rps"));
            }

            await _progress.WriteLineAsync($"sdks round {round}/{rounds}: {string.Join("; ", line)}").ConfigureAwait(false);
        }

        return SdkReport.Create(startedAt, rounds, callers, window, published, samples);
    }

    private async Task<Sample> MeasureOneAsync(string plugin, Event pluginEvent, int callers, TimeSpan window, string name, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_paths.TempDirectory, name);
        var options = EmbeddedOptions.Create(_paths, directory, plugin, new PluginOptions { Version = EchoEvent.Version, MaxConcurrency = 64 });
        var started = Stopwatch.GetTimestamp();
        var supervisor = new PluginSupervisor(options);
        await using (supervisor.ConfigureAwait(false))
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
            var first = await supervisor.DispatchAsync(plugin, pluginEvent, cancellationToken: cancellationToken).ConfigureAwait(false);
            var startMillis = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            EchoEvent.Verify($"sdks {plugin}", pluginEvent, first.Payload);

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            var rss = ResidentMemory.MegabytesOfPlugin(supervisor.GetPlugin(plugin).Instances.Single().Pid);
            var caller = new EchoCaller(supervisor, plugin, pluginEvent);
            var requestsPerSecond = await ThroughputRunner.MeasureAsync(caller, callers, Warmup, window, cancellationToken).ConfigureAwait(false);
            return new Sample(startMillis, rss, requestsPerSecond);
        }
    }

    /// <summary>One round's figures for one SDK.</summary>
    internal readonly record struct Sample(double StartMillis, double RssMb, double RequestsPerSecond);

    private sealed record EchoCaller(PluginSupervisor Supervisor, string Plugin, Event Event) : ICaller
    {
        public async ValueTask CallAsync() => await Supervisor.DispatchAsync(Plugin, Event).ConfigureAwait(false);
    }
}
