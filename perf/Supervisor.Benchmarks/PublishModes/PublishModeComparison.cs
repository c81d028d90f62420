using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Benchmarks.Results;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Protocol;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.PublishModes;

/// <summary>
/// The supervisor host published several ways (JIT, ReadyToRun, Native AOT), compared in one run: cold starts
/// in rounds that rotate which build goes first, then every build running at once and measured in interleaved
/// rounds of events API calls (after a warm-up long enough for the JIT build's tiered PGO to settle), so
/// background load hits each build alike.
/// </summary>
internal sealed class PublishModeComparison
{
    private readonly BenchmarkSettings _settings;
    private readonly BenchmarkPaths _paths;
    private readonly IReadOnlyList<HostBuild> _builds;
    private readonly TextWriter _progress;

    public PublishModeComparison(BenchmarkSettings settings, BenchmarkPaths paths, IReadOnlyList<HostBuild> builds, TextWriter progress)
    {
        _settings = settings;
        _paths = paths;
        _builds = builds;
        _progress = progress;
    }

    /// <summary>Gets the plugin behind every host: the Native AOT echo where published, so the host's own start is not hidden behind a JIT plugin's.</summary>
    public string Plugin => _paths.HasEchoAot ? PluginStartScenario.AotPlugin : EchoEvent.Plugin;

    public async Task<PublishModeLog> MeasureAsync(CancellationToken cancellationToken)
    {
        var log = new PublishModeLog();
        var pluginEvent = EchoEvent.Create();

        // Unrecorded: the first start also runs this process's own client path for the first time.
        await StartOnceAsync(_builds[0], "warmup", pluginEvent, cancellationToken).ConfigureAwait(false);
        for (var round = 1; round <= _settings.PluginStartRounds; round++)
        {
            var line = new List<string>(_builds.Count);
            for (var i = 0; i < _builds.Count; i++)
            {
                var build = _builds[(i + round) % _builds.Count];
                var start = await StartOnceAsync(build, $"start{round}", pluginEvent, cancellationToken).ConfigureAwait(false);
                log.Starts.Add(new PublishModeLog.StartRound(build.Mode, start));
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{build.Mode} listening {start.ListeningMillis:0} ms, ready {start.ReadyMillis:0} ms, first reply {start.FirstReplyMillis:0} ms, {start.IdleRssMb:0.0} MiB"));
            }

            await _progress.WriteLineAsync($"start round {round}/{_settings.PluginStartRounds}: {string.Join("; ", line)}").ConfigureAwait(false);
        }

        await MeasureThroughputAsync(log, pluginEvent, cancellationToken).ConfigureAwait(false);
        return log;
    }

    private async Task<HostStart.Round> StartOnceAsync(HostBuild build, string label, Event pluginEvent, CancellationToken cancellationToken)
    {
        var launch = await SupervisorHostProcess.PrepareAsync(_paths, Path.Combine(_paths.TempDirectory, $"{build.Mode}-{label}"), Plugins(), cancellationToken).ConfigureAwait(false);
        return await HostStart.MeasureAsync(build, launch, Plugin, pluginEvent, cancellationToken).ConfigureAwait(false);
    }

    private async Task MeasureThroughputAsync(PublishModeLog log, Event pluginEvent, CancellationToken cancellationToken)
    {
        var started = new List<(ChildProcess Process, GrpcChannel Channel)>(_builds.Count);
        var hosts = new List<(HostBuild Build, int ProcessId, ICaller Caller)>(_builds.Count);
        try
        {
            foreach (var build in _builds)
            {
                var launch = await SupervisorHostProcess.PrepareAsync(_paths, Path.Combine(_paths.TempDirectory, $"{build.Mode}-load"), Plugins(), cancellationToken).ConfigureAwait(false);
                var process = SupervisorHostProcess.Launch(build.Executable, launch);
                var channel = SupervisorChannel.Create(launch.EventsAddress);
                started.Add((process, channel));
                await process.WaitReadyAsync(SupervisorHostProcess.ReadyTimeout, cancellationToken).ConfigureAwait(false);
                hosts.Add((build, process.Id, await EventsApiCaller.CreateAsync(build.Mode, channel, Plugin, pluginEvent, cancellationToken).ConfigureAwait(false)));
            }

            // As the main run's warm-up: a JIT host reaches its final code only after many calls and some time.
            var half = _settings.InitialWarmup / 2;
            foreach (var host in hosts)
            {
                await ThroughputRunner.MeasureAsync(host.Caller, _settings.Callers, TimeSpan.Zero, half, cancellationToken).ConfigureAwait(false);
                await SequentialRunner.WarmUpAsync(host.Caller, half, cancellationToken).ConfigureAwait(false);
            }

            var runner = new BenchmarkRunner(_settings, _progress);
            for (var round = 1; round <= _settings.Rounds; round++)
            {
                var line = new List<string>(hosts.Count);
                var cpuAtStart = CpuContention.Take();
                foreach (var host in hosts)
                {
                    var figures = await runner.MeasureAsync(host.Caller, _settings.LatencySamples, window: null, cancellationToken).ConfigureAwait(false);
                    log.EventsApi.Add(new PublishModeLog.LoadRound(host.Build.Mode, round, figures));
                    line.Add(string.Create(CultureInfo.InvariantCulture, $"{host.Build.Mode} p50 {figures.P50Micros:0} us, {figures.RequestsPerSecond:0} rps"));
                }

                var other = CpuContention.OtherPercent(cpuAtStart, CpuContention.Take());
                if (other is { } percent)
                {
                    log.OtherCpuPercent.Add(percent);
                }

                await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"events_api round {round}/{_settings.Rounds}: {string.Join("; ", line)}; other processes {other:0}% CPU")).ConfigureAwait(false);
            }

            foreach (var host in hosts)
            {
                log.RssAfterLoadMb[host.Build.Mode] = ResidentMemory.MegabytesOf(host.ProcessId);
            }
        }
        finally
        {
            foreach (var (process, channel) in started)
            {
                channel.Dispose();
                await SupervisorHostProcess.StopAsync(process).ConfigureAwait(false);
            }
        }
    }

    private JsonObject Plugins() => new()
    {
        [Plugin] = new JsonObject { ["Version"] = EchoEvent.Version, ["Instances"] = 1, ["MaxConcurrency"] = 64 },
    };
}
