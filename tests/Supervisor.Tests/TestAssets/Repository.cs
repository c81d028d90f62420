namespace Supervisor.Tests.TestAssets;

/// <summary>Where the repository and the published artifacts (<c>./build.sh</c>) are.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Artifacts => Path.Combine(Root, "artifacts");

    public static string PluginsRoot => Path.Combine(Artifacts, "plugins");

    public static string SupervisorExecutable => Path.Combine(Artifacts, "supervisor", "supervisor");

    public static string PluginExecutable(string name, string version) => Path.Combine(PluginsRoot, name, version, name);

    /// <summary>
    /// Copies a published plugin's files into <paramref name="folder"/>, for a test plugin that runs it from a script:
    /// a sandboxed plugin sees its own version folder, not the repository (which may be under the host's /tmp).
    /// </summary>
    public static void CopyPluginBuild(string name, string version, string folder)
    {
        var source = Path.Combine(PluginsRoot, name, version);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) != "plugin.json")
            {
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    /// <summary>Fails with a clear message when the artifacts these tests run are missing.</summary>
    public static void RequireArtifacts()
    {
        foreach (var path in new[] { SupervisorExecutable, PluginExecutable("echo", "1.0.0"), PluginExecutable("echo", "2.0.0"), PluginExecutable("chaos", "1.0.0") })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} is missing: run ./build.sh (or ./build.sh test) to publish the supervisor and the sample plugins first.");
            }
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Supervisor.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Supervisor.sln not found above {AppContext.BaseDirectory}");
    }
}
