namespace Supervisor.Tests.TestAssets;

/// <summary>
/// A plugins root for one test: the published sample plugins (linked) plus plugins that misbehave at start,
/// written as shell commands in their plugin.json.
/// </summary>
internal static class ScriptedPlugins
{
    public static string CreateRoot(TempDirectory directory)
    {
        var root = directory.File("plugins");
        Directory.CreateDirectory(root);
        foreach (var plugin in Directory.GetDirectories(Repository.PluginsRoot))
        {
            Directory.CreateSymbolicLink(Path.Combine(root, Path.GetFileName(plugin)), plugin);
        }

        Shell(root, "crasher", "echo 'crasher: cannot open /etc/crasher.conf' >&2; exit 3");
        Shell(root, "mute", "exec sleep 60");
        Shell(root, "garbage", "echo 'SUPERVISOR_PLUGIN_READY banana'; exec sleep 60");
        Write(root, "missing", """{ "command": "./not-built-yet" }""");

        // Takes its time to become ready, so an operator can act on it while it starts.
        Shell(root, "slow-starter", "sleep 2; exec ./echo");
        Repository.CopyPluginBuild("echo", "1.0.0", Path.Combine(root, "slow-starter", "1.0.0"));

        // Leaves an orphan behind: the subshell forks a sleep and exits, so the sleep is re-parented to PID 1.
        // It sleeps long enough to be seen however slow the start; the test ends it.
        Shell(root, "orphaner", "(sleep 300 &); exec ./echo");
        Repository.CopyPluginBuild("echo", "1.0.0", Path.Combine(root, "orphaner", "1.0.0"));
        return root;
    }

    private static void Shell(string root, string name, string script) =>
        Write(root, name, $$"""{ "command": "/bin/sh", "args": ["-c", "{{script.Replace("\"", "\\\"", StringComparison.Ordinal)}}"] }""");

    private static void Write(string root, string name, string manifest)
    {
        var folder = Path.Combine(root, name, "1.0.0");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "plugin.json"), manifest);
    }
}
