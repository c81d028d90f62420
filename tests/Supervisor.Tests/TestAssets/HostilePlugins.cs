using System.Text;

namespace Supervisor.Tests.TestAssets;

/// <summary>
/// Plugins whose output is hostile, as shell scripts that make their noise and then <c>exec</c> the published chaos
/// plugin, so the same process goes on to serve gRPC. The noise comes only while the plugin's trigger file exists,
/// and the script removes it first: a test measures the supervisor idle, sets the trigger, restarts the instance,
/// and the restarts after that are quiet.
/// </summary>
internal static class HostilePlugins
{
    /// <summary>Bytes written on stdout without a newline by <c>bigline</c>: 200 MiB.</summary>
    public const long BigLineBytes = 200L * 1024 * 1024;

    /// <summary>Lines written by <c>flood</c>, on stdout before it is ready and on stderr while it serves, each.</summary>
    public const int FloodLines = 1_000_000;

    /// <summary>The message of a record with a numeric level (2: Information) that <c>malformed</c> writes.</summary>
    public const string NumericLevelMessage = "numeric level two";

    /// <summary>Lines that must not be taken for log records, written by <c>malformed</c> on stdout and stderr.</summary>
    public static readonly string[] MalformedLines =
    [
        """{"LogLevel":"7","Message":"level seven as a string"}""",
        """{"LogLevel":99,"Message":"level ninety-nine"}""",
        """{"LogLevel":{"Name":"Warning"},"Message":"level as an object"}""",
        """{"LogLevel":["Warning"],"Message":"level as an array"}""",
        """{"LogLevel":"Warning","NoMessage":true}""",
        """{"LogLevel":"Warning","Message":{"Text":"message as an object"}}""",
        """{"LogLevel":"Warning","Message":"\ud800 lone surrogate"}""",
        """{"LogLevel":"Warning","Message":"cut short""",
        // Deeper than any JSON reader's limit, and still short enough to be parsed whole.
        """{"LogLevel":"Warning","Message":"too deep","State":""" + new string('[', 5_000) + new string(']', 5_000) + "}",
    ];

    /// <summary>A plugins root with the published plugins (linked) and <c>bigline</c>, <c>flood</c> and <c>malformed</c>.</summary>
    public static string CreateRoot(TempDirectory directory)
    {
        var root = directory.File("plugins");
        Directory.CreateDirectory(root);
        foreach (var plugin in Directory.GetDirectories(Repository.PluginsRoot))
        {
            Directory.CreateSymbolicLink(Path.Combine(root, Path.GetFileName(plugin)), plugin);
        }

        // `|| exit 10`: a pipeline that dies of EPIPE means the supervisor stopped reading.
        Script(root, directory, "bigline", $"""
            head -c {BigLineBytes} /dev/zero | tr '\0' x || exit 10
            echo
            """);
        Script(root, directory, "flood", $$"""
            yes '{"LogLevel":"Warning","Category":"flood","Message":"stdout flood"}' | head -n {{FloodLines}} || exit 10
            (yes 'stderr flood' | head -n {{FloodLines}} >&2 && touch '{{FloodDone(directory)}}') &
            """);
        var malformed = Script(root, directory, "malformed", """
            cat malformed.txt || exit 10
            cat malformed.txt >&2 || exit 11
            """);
        using var noise = File.Create(Path.Combine(malformed, "malformed.txt"));
        foreach (var line in MalformedLines)
        {
            noise.Write(Encoding.UTF8.GetBytes(line + "\n"));
        }

        noise.Write([.. """{"LogLevel":"Warning","Message":"invalid UTF-8 """u8, 0xFF, 0xFE, .. "\"}\n"u8]);
        noise.Write(Encoding.UTF8.GetBytes($$"""{"LogLevel":2,"Message":"{{NumericLevelMessage}}"}""" + "\n"));
        return root;
    }

    /// <summary>The file that makes the plugin's next start noisy.</summary>
    public static string Trigger(TempDirectory directory, string plugin) => directory.File($"{plugin}.noise");

    /// <summary>The file <c>flood</c> creates once its stderr flood, written in the background while it serves, is over.</summary>
    public static string FloodDone(TempDirectory directory) => directory.File("flood.done");

    private static string Script(string root, TempDirectory directory, string name, string noise)
    {
        var folder = Path.Combine(root, name, "1.0.0");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "run.sh"), $"""
            if [ -e '{Trigger(directory, name)}' ]; then
            rm -f '{Trigger(directory, name)}'
            {noise}
            fi
            exec '{Repository.PluginExecutable("chaos", "1.0.0")}'
            """);
        File.WriteAllText(Path.Combine(folder, "plugin.json"), """{ "command": "/bin/sh", "args": ["run.sh"] }""");
        return folder;
    }
}
