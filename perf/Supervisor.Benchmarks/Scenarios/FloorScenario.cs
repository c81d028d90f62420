using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// The physical floor of one hop: the benchmark plays supervisor itself (handshake, token, socket) and calls
/// the echo plugin's <c>HandleEvent</c> with nothing in between: no routing, bulkhead, deadline or counters.
/// </summary>
internal sealed class FloorScenario : IHopScenario
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly BenchmarkPaths _paths;
    private readonly Event _event;
    private HandshakePlugin? _plugin;
    private ICaller? _caller;

    public FloorScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _event = pluginEvent;
    }

    public string Name => ScenarioNames.Floor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(_paths.TempDirectory, "floor.sock");
        _plugin = await HandshakePlugin.StartAsync(_paths.EchoExecutable, EchoEvent.Plugin, EchoEvent.Version, socketPath, "floor-1", ReadyTimeout, cancellationToken).ConfigureAwait(false);
        _caller = await CallerForAsync(_event, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CallAsync() => _caller!.CallAsync();

    public async Task<ICaller> CallerForAsync(Event pluginEvent, CancellationToken cancellationToken)
    {
        var caller = new Caller(_plugin!.Client, new HandleEventRequest { Event = pluginEvent });
        var reply = await caller.Client.HandleEventAsync(caller.Request, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, pluginEvent, reply.Payload);
        return caller;
    }

    public async ValueTask DisposeAsync()
    {
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record Caller(PluginService.PluginServiceClient Client, HandleEventRequest Request) : ICaller
    {
        public ValueTask CallAsync() => new(Client.HandleEventAsync(Request).ResponseAsync);
    }
}
