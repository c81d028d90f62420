using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// One hop through the engine an embedder gets: <see cref="PluginSupervisor.DispatchAsync"/> in this process,
/// which adds routing, the bulkhead, a deadline and counters on top of the floor's gRPC call.
/// </summary>
internal sealed class EmbeddedScenario : IScenario
{
    private readonly BenchmarkPaths _paths;
    private readonly Event _event;
    private PluginSupervisor? _supervisor;

    public EmbeddedScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _event = pluginEvent;
    }

    public string Name => ScenarioNames.Embedded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_paths.TempDirectory, "embedded");
        var options = EmbeddedOptions.Create(_paths, directory, EchoEvent.Plugin, new PluginOptions { Version = EchoEvent.Version, Instances = 1, MaxConcurrency = 64 });
        _supervisor = new PluginSupervisor(options);
        await _supervisor.StartAsync(cancellationToken).ConfigureAwait(false);

        // StartAsync also returns after a failed first start; a real call tells the two apart.
        var reply = await _supervisor.DispatchAsync(EchoEvent.Plugin, _event, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, reply.Payload);
    }

    public ValueTask CallAsync()
    {
        var call = _supervisor!.DispatchAsync(EchoEvent.Plugin, _event);
        return call.IsCompletedSuccessfully ? default : new ValueTask(call.AsTask());
    }

    public async ValueTask DisposeAsync()
    {
        if (_supervisor is not null)
        {
            // DisposeAsync stops first: every plugin process has exited when it returns.
            await _supervisor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
