using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor;

/// <content>The versions on disk (<c>ListAvailableVersions</c>, <c>supervisorctl list --available</c>).</content>
public sealed partial class PluginSupervisor
{
    /// <summary>
    /// The version folders under <c>PluginsRoot</c> per plugin, lowest first, each with whether it is active and complete.
    /// </summary>
    /// <param name="plugin">A plugin name; empty or <see langword="null"/> for every configured plugin and every other folder under <c>PluginsRoot</c>.</param>
    /// <returns>One entry per plugin, configured plugins first, by name.</returns>
    /// <exception cref="KeyNotFoundException">The named plugin is neither configured nor a folder under <c>PluginsRoot</c>.</exception>
    public IReadOnlyList<PluginVersions> ListAvailableVersions(string? plugin = null)
    {
        if (!string.IsNullOrEmpty(plugin))
        {
            if (Plugins.TryGetValue(plugin, out var deployment))
            {
                return [Versions(deployment.Name, deployment.Active.Version, deployment.Options.AutoRoll)];
            }

            if (FolderName.IsValid(plugin) && Directory.Exists(Path.Combine(_options.PluginsRoot, plugin)))
            {
                return [Versions(plugin, string.Empty, AutoRollMode.Off)];
            }

            throw new KeyNotFoundException($"{UnknownPluginMessage(plugin)}, and {Path.Combine(_options.PluginsRoot, plugin)} does not exist");
        }

        var listed = Plugins.Values.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => Versions(d.Name, d.Active.Version, d.Options.AutoRoll)).ToList();
        listed.AddRange(VersionFolders.Plugins(_options.PluginsRoot).Where(name => !Plugins.ContainsKey(name)).Select(name => Versions(name, string.Empty, AutoRollMode.Off)));
        return listed;
    }

    private PluginVersions Versions(string name, string active, AutoRollMode autoRoll)
    {
        var versions = new PluginVersions { Plugin = name, ActiveVersion = active, AutoRoll = autoRoll.ToString().ToLowerInvariant() };
        foreach (var folder in VersionFolders.List(_options.PluginsRoot, name))
        {
            versions.Versions.Add(new AvailableVersion
            {
                Version = folder.Name,
                Active = string.Equals(folder.Name, active, StringComparison.Ordinal),
                Complete = folder.IsComplete,
                Problem = folder.Problem ?? string.Empty,
                SemanticVersion = folder.SemanticVersion is not null,
            });
        }

        return versions;
    }
}
