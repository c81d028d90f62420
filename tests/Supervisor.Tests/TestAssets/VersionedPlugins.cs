namespace Supervisor.Tests.TestAssets;

/// <summary>
/// A plugins root with several versions per plugin, for rolls: the published versions linked one by one, plus
/// versions that cannot start or that fail where the old version succeeds.
/// </summary>
internal static class VersionedPlugins
{
    /// <summary>Prints this to stderr and exits 3: a version that never becomes ready.</summary>
    public const string BrokenStderr = "broken build: missing libfoo.so";

    public static string CreateRoot(TempDirectory directory)
    {
        var root = directory.File("plugins");
        Link(root, "echo", "1.0.0");
        Link(root, "echo", "2.0.0");
        Link(root, "echo", "3.0.0", published: "2.0.0");
        Write(root, "echo", "6.6.6", $$"""{ "command": "/bin/sh", "args": ["-c", "echo '{{BrokenStderr}}' >&2; exit 3"] }""");

        // "flaky": 1.0.0 echoes every event; 2.0.0 is the chaos plugin, whose "throw" event fails.
        Write(root, "flaky", "1.0.0", $$"""{ "command": "{{Repository.PluginExecutable("echo", "1.0.0")}}" }""");
        Write(root, "flaky", "2.0.0", $$"""{ "command": "{{Repository.PluginExecutable("chaos", "1.0.0")}}" }""");

        // "sleepy": two versions of the chaos plugin, whose "sleep" event holds a call for as long as asked.
        Write(root, "sleepy", "1.0.0", $$"""{ "command": "{{Repository.PluginExecutable("chaos", "1.0.0")}}" }""");
        Write(root, "sleepy", "2.0.0", $$"""{ "command": "{{Repository.PluginExecutable("chaos", "1.0.0")}}" }""");
        return root;
    }

    private static void Link(string root, string name, string version, string? published = null)
    {
        Directory.CreateDirectory(Path.Combine(root, name));
        Directory.CreateSymbolicLink(Path.Combine(root, name, version), Path.Combine(Repository.PluginsRoot, name, published ?? version));
    }

    private static void Write(string root, string name, string version, string manifest)
    {
        var folder = Path.Combine(root, name, version);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "plugin.json"), manifest);
    }
}
