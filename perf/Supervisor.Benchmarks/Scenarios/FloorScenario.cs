using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// The physical floor of one hop: the benchmark plays supervisor itself (handshake, token, socket) and calls
/// the echo plugin's <c>HandleEvent</c> with nothing in between: no routing, bulkhead, deadline or counters.
/// </summary>
internal sealed class FloorScenario : IScenario
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly BenchmarkPaths _paths;
    private readonly HandleEventRequest _request;
    private HandshakePlugin? _plugin;

    public FloorScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _request = new HandleEventRequest { Event = pluginEvent };
    }

    public string Name => ScenarioNames.Floor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(_paths.TempDirectory, "floor.sock");
        _plugin = await HandshakePlugin.StartAsync(_paths.EchoExecutable, EchoEvent.Plugin, EchoEvent.Version, socketPath, "floor-1", ReadyTimeout, cancellationToken).ConfigureAwait(false);
        var reply = await _plugin.Client.HandleEventAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, reply.Payload);
    }

    public ValueTask CallAsync() => new(_plugin!.Client.HandleEventAsync(_request).ResponseAsync);

    public async ValueTask DisposeAsync()
    {
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync().ConfigureAwait(false);
        }
    }
}
