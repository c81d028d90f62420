namespace Supervisor.Benchmarks;

/// <summary>Where the published artifacts are, and the private temp folder this run owns and removes.</summary>
internal sealed record BenchmarkPaths(string RepoRoot, string TempDirectory)
{
    public const string SolutionFile = "Supervisor.sln";

    /// <summary>The published host's executable, also its processes' command name in <c>/proc</c>.</summary>
    public const string SupervisorExecutableName = "supervisor";

    public string PluginsRoot => Path.Combine(RepoRoot, "artifacts", "plugins");

    public string EchoDirectory => Path.Combine(PluginsRoot, "echo", "1.0.0");

    public string EchoExecutable => Path.Combine(EchoDirectory, "echo");

    /// <summary>Gets the echo sample compiled with Native AOT; published only where clang is installed.</summary>
    public string EchoAotDirectory => Path.Combine(PluginsRoot, "echo-aot", "1.0.0");

    public string EchoAotExecutable => Path.Combine(EchoAotDirectory, "echo");

    public bool HasEchoAot => File.Exists(EchoAotExecutable) && File.Exists(Path.Combine(EchoAotDirectory, "plugin.json"));

    /// <summary>
    /// Gets the echo sample published as the <c>dotnet new</c> template publishes a JIT plugin: self-contained, trimmed,
    /// one ReadyToRun composite image.
    /// </summary>
    public string EchoCompositeDirectory => Path.Combine(PluginsRoot, "echo-composite", "1.0.0");

    public string EchoCompositeExecutable => Path.Combine(EchoCompositeDirectory, "echo");

    public bool HasEchoComposite => File.Exists(EchoCompositeExecutable) && File.Exists(Path.Combine(EchoCompositeDirectory, "plugin.json"));

    public string ChaosDirectory => Path.Combine(PluginsRoot, "chaos", "1.0.0");

    public string SupervisorDirectory => Path.Combine(RepoRoot, "artifacts", "supervisor");

    public string SupervisorExecutable => Path.Combine(SupervisorDirectory, SupervisorExecutableName);

    /// <summary>Walks up from the benchmark's binaries, so the run works from any working directory.</summary>
    public static string? FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The artifacts the run needs that are not on disk.</summary>
    public IReadOnlyList<string> MissingArtifacts()
    {
        var missing = new List<string>();
        foreach (var file in (string[])[EchoExecutable, Path.Combine(EchoDirectory, "plugin.json"), Path.Combine(ChaosDirectory, "plugin.json"), SupervisorExecutable])
        {
            if (!File.Exists(file))
            {
                missing.Add(Path.GetRelativePath(RepoRoot, file));
            }
        }

        return missing;
    }
}
