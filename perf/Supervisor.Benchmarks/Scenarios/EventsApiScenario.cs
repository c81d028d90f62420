using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Supervisor.Benchmarks.Measurement;
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
        await _host.WaitReadyAsync(SupervisorHostProcess.ReadyTimeout, cancellationToken).ConfigureAwait(false);
        _channel = SupervisorChannel.Create(eventsAddress);
        _caller = await CallerForAsync(_event, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CallAsync() => _caller!.CallAsync();

    public Task<ICaller> CallerForAsync(Event pluginEvent, CancellationToken cancellationToken) =>
        EventsApiCaller.CreateAsync(Name, _channel!, EchoEvent.Plugin, pluginEvent, cancellationToken);

    /// <summary>
    /// Bytes the host process allocates per <c>Dispatch</c> of <paramref name="pluginEvent"/>, over
    /// <paramref name="calls"/> sequential calls of an already warm path, counted by the host's runtime
    /// (<see cref="AllocationTicks"/>). Like the embedded figure it counts everything the host did in the window (both
    /// hops' gRPC work, the engine, background polls); it includes the payload the host parses from the caller's request
    /// and again from the plugin's reply, so two payloads are what a path without copies of its own allocates.
    /// </summary>
    public async Task<double> MeasureHostAllocatedBytesPerDispatchAsync(Event pluginEvent, int calls, CancellationToken cancellationToken)
    {
        var caller = await CallerForAsync(pluginEvent, cancellationToken).ConfigureAwait(false);
        var bytes = await AllocationTicks.MeasureAsync(_host!.Id, async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await caller.CallAsync().ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return (double)bytes / calls;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await SupervisorHostProcess.StopAsync(_host).ConfigureAwait(false);
        }
    }
}
