using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Deployments;

namespace Supervisor;

/// <content>
/// <c>Supervisor:Discover</c>: every plugin folder under <c>PluginsRoot</c> that the configuration does not list runs too,
/// with default settings, on its highest complete version (semantic-version order).
/// </content>
public sealed partial class PluginSupervisor
{
    /// <summary>
    /// The plugins to run: the configured ones, plus, with <see cref="SupervisorOptions.Discover"/>, the unlisted folders
    /// under <c>PluginsRoot</c>. A discovered plugin that already runs keeps its version while that is complete on disk,
    /// so a reload never rolls it (newer versions are <c>AutoRoll</c>'s or an operator's to roll to).
    /// </summary>
    private Dictionary<string, PluginOptions> PluginsToRun(SupervisorOptions options, IReadOnlyDictionary<string, PluginDeployment>? running)
    {
        var plugins = new Dictionary<string, PluginOptions>(options.Plugins, StringComparer.OrdinalIgnoreCase);
        if (!options.Discover)
        {
            return plugins;
        }

        foreach (var name in VersionFolders.Plugins(options.PluginsRoot).Where(name => !plugins.ContainsKey(name)))
        {
            var folder = Path.Combine(options.PluginsRoot, name);

            var versions = VersionFolders.List(options.PluginsRoot, name);
            var keep = running?.GetValueOrDefault(name)?.Options.Version;
            var version = versions.FirstOrDefault(v => v.Name == keep && v.IsComplete)?.Name ?? VersionFolders.HighestComplete(versions)?.Name;
            if (version is null)
            {
                LogNothingToDiscover(_logger, name, folder);
                continue;
            }

            if (keep is null)
            {
                LogDiscovered(_logger, name, version, folder);
            }

            plugins[name] = new PluginOptions { Version = version };
        }

        return plugins;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered plugin {Plugin} in {Folder}: it runs on {Version}, its highest complete version, with default settings")]
    private static partial void LogDiscovered(ILogger logger, string plugin, string version, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin folder {Folder} ({Plugin}) has no complete semantic version (a plugin.json that parses, its command, a matching sha256); Discover leaves it alone")]
    private static partial void LogNothingToDiscover(ILogger logger, string plugin, string folder);
}
