using System.Globalization;
using System.Text.Json.Nodes;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// The published <c>supervisor</c> host's own idle footprint: started on the sample plugins as
/// <c>deploy/supervisor.json</c> runs them (echo ×2, chaos ×1), one event served through its events API, then the
/// resident memory of the host process alone (its plugins are processes of their own and not counted).
/// </summary>
internal sealed class SupervisorRssScenario
{
    // Long enough for the host's start-up garbage to be collected and its first liveness polls to run.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private readonly BenchmarkPaths _paths;
    private readonly DispatchRequest _request;
    private readonly TextWriter _progress;

    public SupervisorRssScenario(BenchmarkPaths paths, Event pluginEvent, TextWriter progress)
    {
        _paths = paths;
        _request = new DispatchRequest { Plugin = EchoEvent.Plugin, Event = pluginEvent };
        _progress = progress;
    }

    public async Task<IReadOnlyList<double>> MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        var results = new List<double>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var megabytes = await MeasureRoundAsync(round, cancellationToken).ConfigureAwait(false);
            results.Add(megabytes);
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{ScenarioNames.SupervisorRss} round {round}/{rounds}: {megabytes:0.0} MiB")).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<double> MeasureRoundAsync(int round, CancellationToken cancellationToken)
    {
        var plugins = new JsonObject
        {
            [EchoEvent.Plugin] = new JsonObject { ["Version"] = EchoEvent.Version, ["Instances"] = 2 },
            [HangRecoveryScenario.Plugin] = new JsonObject { ["Version"] = HangRecoveryScenario.Version, ["Instances"] = 1 },
        };
        var (host, eventsAddress) = await SupervisorHostProcess.StartAsync(_paths, Path.Combine(_paths.TempDirectory, $"rss{round}"), plugins, cancellationToken).ConfigureAwait(false);
        try
        {
            using (var channel = SupervisorChannel.Create(eventsAddress))
            {
                var reply = await new EventService.EventServiceClient(channel).DispatchAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
                EchoEvent.Verify(ScenarioNames.SupervisorRss, _request.Event, reply.Payload);
            }

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            return ResidentMemory.MegabytesOf(host.Id);
        }
        finally
        {
            await SupervisorHostProcess.StopAsync(host).ConfigureAwait(false);
        }
    }
}
