using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Benchmarks.Results;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// What one plugin process costs to bring up and to keep: the echo sample as JIT (<c>echo</c> 1.0.0) and as Native
/// AOT (<c>echo-aot</c> 1.0.0), each started fresh with the handshake variables, timed from the process start
/// to its first successful <c>HandleEvent</c> reply, then its resident memory read once it has settled.
/// </summary>
internal sealed class PluginStartScenario
{
    public const string AotPlugin = "echo-aot";

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
        if (!_paths.HasEchoAot)
        {
            await _progress.WriteLineAsync($"{ScenarioNames.PluginStart}: {AotPlugin} is not published (Native AOT needs clang), so only the JIT build is measured").ConfigureAwait(false);
        }

        var results = new List<PluginStartRound>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            // Alternating which build goes first spreads any warm-cache advantage of going second over both.
            var aotFirst = round % 2 == 0;
            Sample? aot = null;
            if (aotFirst && _paths.HasEchoAot)
            {
                aot = await MeasureOneAsync(_paths.EchoAotExecutable, AotPlugin, $"aot{round}", cancellationToken).ConfigureAwait(false);
            }

            var jit = await MeasureOneAsync(_paths.EchoExecutable, EchoEvent.Plugin, $"jit{round}", cancellationToken).ConfigureAwait(false);
            if (!aotFirst && _paths.HasEchoAot)
            {
                aot = await MeasureOneAsync(_paths.EchoAotExecutable, AotPlugin, $"aot{round}", cancellationToken).ConfigureAwait(false);
            }

            results.Add(new PluginStartRound(jit.StartMillis, jit.RssMb, aot?.StartMillis, aot?.RssMb));
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ScenarioNames.PluginStart} round {round}/{rounds}: jit {jit.StartMillis:0} ms, {jit.RssMb:0.0} MiB; aot {aot?.StartMillis:0} ms, {aot?.RssMb:0.0} MiB")).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<Sample> MeasureOneAsync(string executable, string plugin, string instanceId, CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(_paths.TempDirectory, instanceId + ".sock");
        var started = Stopwatch.GetTimestamp();
        var process = await HandshakePlugin.StartAsync(executable, plugin, EchoEvent.Version, socketPath, instanceId, ReadyTimeout, cancellationToken).ConfigureAwait(false);
        await using (process.ConfigureAwait(false))
        {
            var reply = await process.Client.HandleEventAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
            var startMillis = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            EchoEvent.Verify(ScenarioNames.PluginStart, _request.Event, reply.Payload);

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            return new Sample(startMillis, ResidentMemory.MegabytesOf(process.ProcessId));
        }
    }

    private readonly record struct Sample(double StartMillis, double RssMb);
}
