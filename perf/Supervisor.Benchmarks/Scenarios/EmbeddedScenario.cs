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

    /// <summary>
    /// Bytes this process allocates per <see cref="PluginSupervisor.DispatchAsync"/>, over <paramref name="calls"/>
    /// sequential dispatches of an already warm path. It counts every thread's allocations in the window: the
    /// engine's routing, bulkhead, deadline and counters, the gRPC client's request, response and HTTP/2 work,
    /// the async machinery, and whatever background work (liveness polls, reading the plugin's output) falls in
    /// it. It includes the reply's payload, a fresh copy of the event's <see cref="EchoEvent.PayloadBytes"/>
    /// bytes that the caller asked for; the report subtracts that as "payload".
    /// </summary>
    public async Task<double> MeasureAllocatedBytesPerDispatchAsync(int calls, CancellationToken cancellationToken)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            // The token is checked, not passed: a cancellable token would add its registration to every call.
            cancellationToken.ThrowIfCancellationRequested();
            await _supervisor!.DispatchAsync(EchoEvent.Plugin, _event, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
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
