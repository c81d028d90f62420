namespace Supervisor.Protocol;

/// <summary>
/// The names and formats of the plugin handshake (docs/protocol.md), shared by the supervisor that starts a plugin
/// and the SDK that answers it, so the two sides cannot drift apart.
/// </summary>
public static class Handshake
{
    /// <summary>The protocol version this release speaks.</summary>
    public const string ProtocolVersion = "1";

    /// <summary>Carries <see cref="ProtocolVersion"/>.</summary>
    public const string ProtocolVersionVariable = "SUPERVISOR_PROTOCOL_VERSION";

    /// <summary>Where the plugin serves: <c>unix:///abs/path.sock</c>.</summary>
    public const string AddressVariable = "SUPERVISOR_PLUGIN_ADDRESS";

    /// <summary>The per-process token every call carries as <c>authorization: Bearer …</c>.</summary>
    public const string TokenVariable = "SUPERVISOR_PLUGIN_TOKEN";

    /// <summary>The plugin's configured name.</summary>
    public const string NameVariable = "SUPERVISOR_PLUGIN_NAME";

    /// <summary>The plugin version the process runs.</summary>
    public const string VersionVariable = "SUPERVISOR_PLUGIN_VERSION";

    /// <summary>The id the supervisor gave the process.</summary>
    public const string InstanceIdVariable = "SUPERVISOR_INSTANCE_ID";

    /// <summary>The plugin's settings as a JSON object of strings.</summary>
    public const string SettingsVariable = "SUPERVISOR_PLUGIN_SETTINGS";

    /// <summary>Starts the one stdout line that announces the plugin listens.</summary>
    public const string ReadyPrefix = "SUPERVISOR_PLUGIN_READY";

    /// <summary>Formats the ready line: <c>SUPERVISOR_PLUGIN_READY &lt;protocol&gt; &lt;address&gt;</c>.</summary>
    /// <param name="address">The address actually served.</param>
    /// <returns>The line to print on stdout.</returns>
    public static string ReadyLine(string address) => $"{ReadyPrefix} {ProtocolVersion} {address}";
}
