namespace Supervisor.PluginSdk.Hosting;

/// <summary>The one stdout line that tells the supervisor the plugin is listening (docs/protocol.md).</summary>
internal static class ReadyLine
{
    public const string Prefix = "SUPERVISOR_PLUGIN_READY";

    public static string Format(string protocolVersion, string address) => $"{Prefix} {protocolVersion} {address}";
}
