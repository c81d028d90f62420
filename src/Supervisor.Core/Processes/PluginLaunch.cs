using Supervisor.Configuration;
using Supervisor.Sandbox;

namespace Supervisor.Processes;

/// <summary>Everything needed to start one plugin process and hand it the handshake.</summary>
internal sealed record PluginLaunch(
    string Plugin,
    string Version,
    string InstanceId,
    PluginManifest Manifest,
    string SocketPath,
    string Token,
    IReadOnlyDictionary<string, string> Settings,
    InstanceSandbox Sandbox);
