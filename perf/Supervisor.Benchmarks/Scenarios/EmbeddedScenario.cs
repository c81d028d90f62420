using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// One hop through the engine an embedder gets: <see cref="PluginSupervisor.DispatchAsync"/> in this process,
/// which adds routing, the bulkhead, a deadline and counters on top of the floor's gRPC call.
/// </summary>
internal sealed class EmbeddedScenario : IHopScenario
{
    private readonly BenchmarkPaths _paths;
    private readonly Event _event;
    private readonly int _instances;
    private PluginSupervisor? _supervisor;

    /// <param name="instances">Echo instances the supervisor runs and spreads calls over.</param>
    public EmbeddedScenario(BenchmarkPaths paths, Event pluginEvent, int instances = 1)
    {
        _paths = paths;
        _event = pluginEvent;
        _instances = instances;
    }

    public string Name => ScenarioNames.Embedded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_paths.TempDirectory, $"embedded{_instances}");
        var options = EmbeddedOptions.Create(_paths, directory, EchoEvent.Plugin, new PluginOptions { Version = EchoEvent.Version, Instances = _instances, MaxConcurrency = 64 });
        _supervisor = new PluginSupervisor(options);
        await _supervisor.StartAsync(cancellationToken).ConfigureAwait(false);

        // StartAsync also returns after a failed first start; a real call tells the two apart.
        await CallerForAsync(_event, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CallAsync() => Dispatch(_supervisor!, _event);

    public async Task<ICaller> CallerForAsync(Event pluginEvent, CancellationToken cancellationToken)
    {
        var reply = await _supervisor!.DispatchAsync(EchoEvent.Plugin, pluginEvent, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, pluginEvent, reply.Payload);
        return new Caller(_supervisor, pluginEvent);
    }

    /// <summary>
    /// Bytes this process allocates per <see cref="PluginSupervisor.DispatchAsync"/> of <paramref name="pluginEvent"/>,
    /// over <paramref name="calls"/> sequential dispatches of an already warm path. It counts every thread's
    /// allocations in the window: the engine's routing, bulkhead, deadline and counters, the gRPC client's request,
    /// response and HTTP/2 work, the async machinery, and whatever background work (liveness polls, reading the
    /// plugin's output) falls in it. It includes the reply's payload, a fresh copy of the event's payload that the
    /// caller asked for; the report subtracts that as "payload".
    /// </summary>
    public async Task<double> MeasureAllocatedBytesPerDispatchAsync(Event pluginEvent, int calls, CancellationToken cancellationToken)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            // The token is checked, not passed: a cancellable token would add its registration to every call.
            cancellationToken.ThrowIfCancellationRequested();
            await _supervisor!.DispatchAsync(EchoEvent.Plugin, pluginEvent, cancellationToken: CancellationToken.None).ConfigureAwait(false);
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

    private static ValueTask Dispatch(PluginSupervisor supervisor, Event pluginEvent)
    {
        var call = supervisor.DispatchAsync(EchoEvent.Plugin, pluginEvent);
        return call.IsCompletedSuccessfully ? default : new ValueTask(call.AsTask());
    }

    private sealed record Caller(PluginSupervisor Supervisor, Event Event) : ICaller
    {
        public ValueTask CallAsync() => Dispatch(Supervisor, Event);
    }
}
