using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Supervisor.PluginSdk;

/// <summary>What the supervisor told this plugin process about itself at start.</summary>
public sealed class PluginContext
{
    internal PluginContext(string name, string version, string instanceId, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        Version = version;
        InstanceId = instanceId;
        Settings = settings;
    }

    /// <summary>Gets the plugin's configured name.</summary>
    public string Name { get; }

    /// <summary>Gets the plugin version this process runs, as configured in the supervisor.</summary>
    public string Version { get; }

    /// <summary>Gets the id the supervisor gave this process.</summary>
    public string InstanceId { get; }

    /// <summary>Gets the plugin's <c>Settings</c> from the supervisor's configuration.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>
    /// Gets the plugin's loggers. Lines go to the supervisor's log at their level, with plugin, version, instance and
    /// the trace id of the call being handled.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; internal set; } = NullLoggerFactory.Instance;
}
