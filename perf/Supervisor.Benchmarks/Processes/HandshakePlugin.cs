using System.Security.Cryptography;
using Grpc.Net.Client;
using Supervisor.Protocol;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Processes;

/// <summary>
/// A plugin process the benchmark supervises itself, with nothing of the engine in between: it sets the handshake
/// variables, waits for the ready line and connects, with the per-process token, to the address the plugin
/// announced (as the supervisor does, not the one it was given).
/// </summary>
internal sealed class HandshakePlugin : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly ChildProcess _process;
    private readonly GrpcChannel _channel;

    private HandshakePlugin(ChildProcess process, GrpcChannel channel)
    {
        _process = process;
        _channel = channel;
        Client = new PluginService.PluginServiceClient(channel);
    }

    public PluginService.PluginServiceClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts <paramref name="executable"/> in its own folder and returns once it announced its address.</summary>
    public static async Task<HandshakePlugin> StartAsync(string executable, string plugin, string version, string socketPath, string instanceId, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [Handshake.ProtocolVersionVariable] = Handshake.ProtocolVersion,
            [Handshake.AddressVariable] = "unix://" + socketPath,
            [Handshake.TokenVariable] = token,
            [Handshake.NameVariable] = plugin,
            [Handshake.VersionVariable] = version,
            [Handshake.InstanceIdVariable] = instanceId,
            [Handshake.SettingsVariable] = "{}",
        };
        var process = ChildProcess.Start(executable, [], Path.GetDirectoryName(executable)!, environment, Handshake.ReadyPrefix);
        try
        {
            var readyLine = await process.WaitReadyAsync(readyTimeout, cancellationToken).ConfigureAwait(false);
            var parts = readyLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[0] != Handshake.ReadyPrefix || parts[1] != Handshake.ProtocolVersion)
            {
                throw new InvalidOperationException($"{plugin} {version} ({instanceId}): malformed ready line '{readyLine}'");
            }

            return new HandshakePlugin(process, SupervisorChannel.Create(parts[2], token));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();

        // Closing stdin is the plugin's shutdown signal; it is killed if it ignores it.
        await _process.StopAsync(terminate: false, StopGrace).ConfigureAwait(false);
        await _process.DisposeAsync().ConfigureAwait(false);
    }
}
