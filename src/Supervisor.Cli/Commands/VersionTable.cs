using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary>The table <c>list --available</c> prints: each plugin's version folders on disk.</summary>
internal static class VersionTable
{
    private static readonly string[] Header = ["PLUGIN", "VERSION", "ACTIVE", "COMPLETE", "AUTOROLL", "PROBLEM"];

    public static void Print(IEnumerable<PluginVersions> plugins)
    {
        var rows = new List<string[]> { Header };
        foreach (var plugin in plugins)
        {
            var autoRoll = plugin.ActiveVersion.Length > 0 ? plugin.AutoRoll : "-";
            if (plugin.Versions.Count == 0)
            {
                rows.Add([plugin.Plugin, "-", "-", "-", autoRoll, "no version folders"]);
            }

            foreach (var version in plugin.Versions)
            {
                // A name that is not a semantic version is listed (it can be rolled to by name) but never auto-rolled.
                var problem = version.Problem.Length > 0 ? version.Problem : version.SemanticVersion ? string.Empty : "not a semantic version: never chosen by AutoRoll or discovery";
                rows.Add([plugin.Plugin, version.Version, version.Active ? "*" : string.Empty, version.Complete ? "yes" : "no", autoRoll, problem]);
            }
        }

        PluginTable.Print(rows);
    }
}
