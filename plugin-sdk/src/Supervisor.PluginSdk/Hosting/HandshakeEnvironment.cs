using System.Text.Json;
using Supervisor.Protocol;

namespace Supervisor.PluginSdk.Hosting;

/// <summary>The handshake variables the supervisor sets when it starts a plugin (docs/protocol.md).</summary>
internal sealed class HandshakeEnvironment
{
    private const string UnixScheme = "unix://";

    private HandshakeEnvironment(string socketPath, string token, PluginContext context)
    {
        SocketPath = socketPath;
        Token = token;
        Context = context;
    }

    public string SocketPath { get; }

    public string Address => UnixScheme + SocketPath;

    public string Token { get; }

    public PluginContext Context { get; }

    /// <summary>Reads the handshake; on failure returns the reason, worded for a person who started the plugin by hand.</summary>
    public static HandshakeEnvironment? TryRead(Func<string, string?> getVariable, out string? error)
    {
        var protocol = getVariable(Handshake.ProtocolVersionVariable);
        var address = getVariable(Handshake.AddressVariable);
        var token = getVariable(Handshake.TokenVariable);
        if (string.IsNullOrEmpty(protocol) && string.IsNullOrEmpty(address) && string.IsNullOrEmpty(token))
        {
            error = "it was started without the supervisor's handshake variables";
            return null;
        }

        if (protocol != Handshake.ProtocolVersion)
        {
            error = $"{Handshake.ProtocolVersionVariable} is '{protocol}', but this SDK speaks protocol {Handshake.ProtocolVersion}";
            return null;
        }

        if (string.IsNullOrEmpty(address) || !address.StartsWith(UnixScheme, StringComparison.Ordinal) || address.Length == UnixScheme.Length)
        {
            error = $"{Handshake.AddressVariable} is '{address}', expected unix:///absolute/path.sock";
            return null;
        }

        var socketPath = address[UnixScheme.Length..];
        if (!Path.IsPathRooted(socketPath))
        {
            error = $"{Handshake.AddressVariable} is '{address}', expected an absolute socket path";
            return null;
        }

        if (string.IsNullOrEmpty(token))
        {
            error = $"{Handshake.TokenVariable} is not set";
            return null;
        }

        if (!TryReadSettings(getVariable(Handshake.SettingsVariable), out var settings, out error))
        {
            return null;
        }

        var context = new PluginContext(
            getVariable(Handshake.NameVariable) ?? string.Empty,
            getVariable(Handshake.VersionVariable) ?? string.Empty,
            getVariable(Handshake.InstanceIdVariable) ?? string.Empty,
            settings);
        error = null;
        return new HandshakeEnvironment(socketPath, token, context);
    }

    private static bool TryReadSettings(string? json, out IReadOnlyDictionary<string, string> settings, out string? error)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        settings = result;
        error = null;
        // The supervisor sends {} for a plugin without settings; the JSON reader's first use costs a Native AOT plugin
        // about a millisecond of its start.
        if (string.IsNullOrWhiteSpace(json) || json == "{}")
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"{Handshake.SettingsVariable} must be a JSON object of strings";
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = $"{Handshake.SettingsVariable} is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
