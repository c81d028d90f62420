using System.Security.Cryptography;
using Grpc.Net.Client;
using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol;
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
    private ChildProcess? _plugin;
    private GrpcChannel? _channel;
    private PluginService.PluginServiceClient? _client;

    public FloorScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _request = new HandleEventRequest { Event = pluginEvent };
    }

    public string Name => ScenarioNames.Floor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = "unix://" + Path.Combine(_paths.TempDirectory, "floor.sock");
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [Handshake.ProtocolVersionVariable] = Handshake.ProtocolVersion,
            [Handshake.AddressVariable] = address,
            [Handshake.TokenVariable] = token,
            [Handshake.NameVariable] = EchoEvent.Plugin,
            [Handshake.VersionVariable] = EchoEvent.Version,
            [Handshake.InstanceIdVariable] = "floor-1",
            [Handshake.SettingsVariable] = "{}",
        };
        _plugin = ChildProcess.Start(_paths.EchoExecutable, [], _paths.EchoDirectory, environment, Handshake.ReadyPrefix);
        var readyLine = await _plugin.WaitReadyAsync(ReadyTimeout, cancellationToken).ConfigureAwait(false);

        // Call the address the plugin announced, as the supervisor does, not the one it was given.
        var parts = readyLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[0] != Handshake.ReadyPrefix || parts[1] != Handshake.ProtocolVersion)
        {
            throw new InvalidOperationException($"{Name}: malformed ready line '{readyLine}'");
        }

        _channel = SupervisorChannel.Create(parts[2], token);
        _client = new PluginService.PluginServiceClient(_channel);
        var reply = await _client.HandleEventAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, reply.Payload);
    }

    public ValueTask CallAsync() => new(_client!.HandleEventAsync(_request).ResponseAsync);

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_plugin is not null)
        {
            // Closing stdin is the plugin's shutdown signal; it is killed if it ignores it.
            await _plugin.StopAsync(terminate: false, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            await _plugin.DisposeAsync().ConfigureAwait(false);
        }
    }
}
