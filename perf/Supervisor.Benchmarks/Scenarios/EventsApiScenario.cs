using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// Two hops, as another process sees the system: <c>EventService.Dispatch</c> on the published
/// <c>supervisor</c> host, which dispatches to its own echo plugin.
/// </summary>
internal sealed class EventsApiScenario : IHopScenario
{
    private readonly BenchmarkPaths _paths;
    private readonly Event _event;
    private ChildProcess? _host;
    private GrpcChannel? _channel;
    private ICaller? _caller;

    public EventsApiScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _event = pluginEvent;
    }

    public string Name => ScenarioNames.EventsApi;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var plugins = new JsonObject
        {
            [EchoEvent.Plugin] = new JsonObject { ["Version"] = EchoEvent.Version, ["Instances"] = 1, ["MaxConcurrency"] = 64 },
        };
        (_host, var eventsAddress) = await SupervisorHostProcess.StartAsync(_paths, Path.Combine(_paths.TempDirectory, "host"), plugins, cancellationToken).ConfigureAwait(false);
        _channel = SupervisorChannel.Create(eventsAddress);
        _caller = await CallerForAsync(_event, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CallAsync() => _caller!.CallAsync();

    public Task<ICaller> CallerForAsync(Event pluginEvent, CancellationToken cancellationToken) =>
        EventsApiCaller.CreateAsync(Name, _channel!, EchoEvent.Plugin, pluginEvent, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await SupervisorHostProcess.StopAsync(_host).ConfigureAwait(false);
        }
    }
}
