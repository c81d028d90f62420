using Semver;
using Supervisor.Configuration;

namespace Supervisor.Deployments;

/// <summary>
/// The versions of one plugin on disk, <c>PluginsRoot/&lt;name&gt;/&lt;version&gt;/</c>, in semantic-version order, each
/// with whether it is <em>complete</em>. AutoRoll, <c>Supervisor:Discover</c> and <c>list --available</c> read it.
/// </summary>
/// <remarks>
/// <para>
/// Order: SemVer 2.0 precedence (numeric parts numerically, a pre-release before its release, build metadata ignored
/// and then compared by ordinal so the order is total). A leading <c>v</c> is accepted (<c>v2.1.0</c>). Folders whose
/// name is not a semantic version (<c>latest</c>, <c>2024-10-hotfix</c>) are still listed, after every version and by
/// ordinal, because an operator may roll to them by name; they are never "higher" than anything, so AutoRoll and
/// discovery leave them alone. Names that are not valid version folder names at all (a leading <c>.</c>, as in a
/// deployment script's <c>.incoming-2.0.0</c>) are not listed.
/// </para>
/// <para>
/// Complete: <c>plugin.json</c> exists and parses, its command's file exists, and, when it pins <c>sha256</c>, the file
/// hashes to it. A deployment writes <c>plugin.json</c> last (by rename), so a folder whose binaries are still being
/// copied has none and is incomplete; a pin also catches a binary copied after its manifest.
/// </para>
/// </remarks>
internal static class VersionFolders
{
    /// <summary>The plugin folders under <paramref name="pluginsRoot"/> (valid plugin names), by ordinal.</summary>
    /// <param name="pluginsRoot">The configured <c>PluginsRoot</c>.</param>
    /// <returns>The folder names; empty when the root does not exist.</returns>
    public static IEnumerable<string> Plugins(string pluginsRoot) =>
        Directory.Exists(pluginsRoot)
            ? Directory.EnumerateDirectories(pluginsRoot).Select(System.IO.Path.GetFileName).OfType<string>().Where(FolderName.IsValid).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Lists the version folders of <paramref name="name"/>, lowest first.</summary>
    /// <param name="pluginsRoot">The configured <c>PluginsRoot</c>.</param>
    /// <param name="name">The plugin's name.</param>
    /// <returns>The folders; empty when the plugin has no folder.</returns>
    public static IReadOnlyList<VersionFolder> List(string pluginsRoot, string name)
    {
        var folder = System.IO.Path.Combine(pluginsRoot, name);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var versions = new List<VersionFolder>();
        foreach (var path in Directory.EnumerateDirectories(folder))
        {
            var version = System.IO.Path.GetFileName(path);
            if (FolderName.IsValid(version))
            {
                versions.Add(new VersionFolder(version, path, Parse(version), ProblemWith(path)));
            }
        }

        versions.Sort(Compare);
        return versions;
    }

    /// <summary>The highest complete folder that is a semantic version, or <see langword="null"/> when there is none.</summary>
    /// <param name="versions">A plugin's folders, as <see cref="List"/> returns them.</param>
    /// <returns>The folder to run when nothing else says which.</returns>
    public static VersionFolder? HighestComplete(IReadOnlyList<VersionFolder> versions)
    {
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            if (versions[i] is { IsComplete: true, SemanticVersion: not null } candidate)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="candidate"/> is a semantic version above <paramref name="current"/> (a non-version current: never).</summary>
    /// <param name="candidate">A folder name.</param>
    /// <param name="current">The running version's folder name.</param>
    /// <returns><see langword="true"/> when rolling from <paramref name="current"/> to <paramref name="candidate"/> goes up.</returns>
    public static bool IsNewer(string candidate, string current) =>
        Parse(candidate) is { } next && Parse(current) is { } now && SemVersion.ComparePrecedence(next, now) > 0;

    /// <summary>Reads a folder name as a semantic version, or <see langword="null"/>.</summary>
    /// <param name="name">The folder name.</param>
    /// <returns>The version.</returns>
    public static SemVersion? Parse(string name) =>
        SemVersion.TryParse(name, SemVersionStyles.AllowLowerV, out var version) ? version : null;

    /// <summary>Why the version folder at <paramref name="path"/> cannot be started, or <see langword="null"/> when it can.</summary>
    /// <param name="path">A version folder.</param>
    /// <returns>A sentence naming the file at fault.</returns>
    public static string? ProblemWith(string path)
    {
        var manifestPath = System.IO.Path.Combine(path, PluginManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            return $"{manifestPath} does not exist (yet): a deployment writes it last";
        }

        try
        {
            CommandPin.Verify(PluginManifest.Load(manifestPath), requireFile: true);
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or PinnedCommandMismatchException)
        {
            return ex.Message;
        }
    }

    private static int Compare(VersionFolder x, VersionFolder y) =>
        (x.SemanticVersion, y.SemanticVersion) switch
        {
            ({ } a, { } b) => SemVersion.ComparePrecedence(a, b) is var precedence and not 0 ? precedence : string.CompareOrdinal(x.Name, y.Name),
            ({ }, null) => -1,
            (null, { }) => 1,
            _ => string.CompareOrdinal(x.Name, y.Name),
        };
}
