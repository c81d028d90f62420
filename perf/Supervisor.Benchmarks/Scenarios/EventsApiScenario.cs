using System.Text.Json;
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
internal sealed class EventsApiScenario : IScenario
{
    private const string ReadyMarker = "Supervisor ready: events API on";
    // Cold start of the host plus its plugin, on a busy 2-core VM.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly BenchmarkPaths _paths;
    private readonly DispatchRequest _request;
    private ChildProcess? _host;
    private GrpcChannel? _channel;
    private EventService.EventServiceClient? _client;

    public EventsApiScenario(BenchmarkPaths paths, Event pluginEvent)
    {
        _paths = paths;
        _request = new DispatchRequest { Plugin = EchoEvent.Plugin, Event = pluginEvent };
    }

    public string Name => ScenarioNames.EventsApi;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_paths.TempDirectory, "host");
        Directory.CreateDirectory(directory);
        var eventsAddress = "unix://" + Path.Combine(directory, "events.sock");
        var configPath = Path.Combine(directory, "supervisor.json");
        await File.WriteAllTextAsync(configPath, BuildConfig(eventsAddress, directory), cancellationToken).ConfigureAwait(false);

        _host = ChildProcess.Start(_paths.SupervisorExecutable, ["run", "--config", configPath], directory, WithoutOverrides(), ReadyMarker);
        await _host.WaitReadyAsync(ReadyTimeout, cancellationToken).ConfigureAwait(false);

        _channel = SupervisorChannel.Create(eventsAddress);
        _client = new EventService.EventServiceClient(_channel);
        var reply = await _client.DispatchAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, reply.Payload);
    }

    public ValueTask CallAsync() => new(_client!.DispatchAsync(_request).ResponseAsync);

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            // SIGTERM: the host drains and shuts its plugin down; it is killed with its tree if it takes too long.
            await _host.StopAsync(terminate: true, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private string BuildConfig(string eventsAddress, string directory)
    {
        var config = new JsonObject
        {
            ["Supervisor"] = new JsonObject
            {
                ["PluginsRoot"] = _paths.PluginsRoot,
                ["StateDirectory"] = Path.Combine(directory, "state"),
                ["RuntimeDirectory"] = Path.Combine(directory, "run"),
                ["ShutdownTimeout"] = "00:00:05",
                ["Events"] = new JsonObject { ["Listen"] = eventsAddress },
                ["Admin"] = new JsonObject { ["Listen"] = "unix://" + Path.Combine(directory, "admin.sock") },
                ["Plugins"] = new JsonObject
                {
                    [EchoEvent.Plugin] = new JsonObject
                    {
                        ["Version"] = EchoEvent.Version,
                        ["Instances"] = 1,
                        ["MaxConcurrency"] = 64,
                    },
                },
            },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    // Supervisor__… variables in the caller's environment would silently change the measured configuration.
    private static Dictionary<string, string?> WithoutOverrides()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Environment.GetEnvironmentVariables().Keys)
        {
            if (name is string text && text.StartsWith("Supervisor__", StringComparison.OrdinalIgnoreCase))
            {
                environment[text] = null;
            }
        }

        return environment;
    }
}
