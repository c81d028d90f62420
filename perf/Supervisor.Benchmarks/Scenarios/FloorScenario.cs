using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// The physical floor of one hop: the benchmark plays supervisor itself (handshake, token, socket) and calls
/// the echo plugin's <c>HandleEvent</c> with nothing in between: no routing, bulkhead, deadline or counters. The
/// same hop to the echo published as the template publishes a plugin (<see cref="OnCompositeEcho"/>) says what that
/// publish costs per call, round by round beside the framework-dependent echo.
/// </summary>
internal sealed class FloorScenario : IHopScenario
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly string _executable;
    private readonly string _tempDirectory;
    private readonly Event _event;
    private HandshakePlugin? _plugin;
    private ICaller? _caller;

    public FloorScenario(BenchmarkPaths paths, Event pluginEvent)
        : this(ScenarioNames.Floor, paths.EchoExecutable, paths, pluginEvent)
    {
    }

    private FloorScenario(string name, string executable, BenchmarkPaths paths, Event pluginEvent)
    {
        Name = name;
        _executable = executable;
        _tempDirectory = paths.TempDirectory;
        _event = pluginEvent;
    }

    public string Name { get; }

    /// <summary>The floor's hop to <c>echo-composite</c>, the echo sample published with the template's settings.</summary>
    public static FloorScenario OnCompositeEcho(BenchmarkPaths paths, Event pluginEvent) =>
        new(ScenarioNames.FloorComposite, paths.EchoCompositeExecutable, paths, pluginEvent);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(_tempDirectory, Name + ".sock");
        _plugin = await HandshakePlugin.StartAsync(_executable, EchoEvent.Plugin, EchoEvent.Version, socketPath, Name, ReadyTimeout, cancellationToken).ConfigureAwait(false);
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
