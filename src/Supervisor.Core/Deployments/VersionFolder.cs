using Semver;

namespace Supervisor.Deployments;

/// <summary>One folder under <c>PluginsRoot/&lt;name&gt;/</c>, as <see cref="VersionFolders.List"/> found it.</summary>
/// <param name="Name">The folder's name: what <c>Version</c>, <c>RollPlugin</c> and the state file call the version.</param>
/// <param name="Path">The folder's absolute path.</param>
/// <param name="SemanticVersion">The name read as a semantic version (a leading <c>v</c> allowed), or <see langword="null"/> when it is not one.</param>
/// <param name="Problem">Why the folder is not complete, or <see langword="null"/> when it is.</param>
internal sealed record VersionFolder(string Name, string Path, SemVersion? SemanticVersion, string? Problem)
{
    /// <summary>Gets whether the folder can be started: its <c>plugin.json</c> parses, and its command exists (and matches its pin).</summary>
    public bool IsComplete => Problem is null;
}
