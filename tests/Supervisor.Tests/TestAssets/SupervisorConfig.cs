using System.Text.Json.Nodes;

namespace Supervisor.Tests.TestAssets;

/// <summary>Writes a <c>supervisor.json</c> for a test, over the published sample plugins.</summary>
internal static class SupervisorConfig
{
    /// <summary>A config with Unix sockets in <paramref name="directory"/>, so tests never fight over ports.</summary>
    public static JsonObject Create(TempDirectory directory, JsonObject plugins) => new()
    {
        ["Supervisor"] = new JsonObject
        {
            ["PluginsRoot"] = Repository.PluginsRoot,
            ["StateDirectory"] = directory.File("state"),
            ["ShutdownTimeout"] = "00:00:05",
            ["Events"] = new JsonObject { ["Listen"] = "unix://" + directory.File("events.sock") },
            ["Admin"] = new JsonObject { ["Listen"] = "unix://" + directory.File("admin.sock") },
            // Port 0: tests run in parallel; the bound address is in the ready line.
            ["Monitoring"] = new JsonObject { ["Listen"] = "http://127.0.0.1:0" },
            ["Plugins"] = plugins,
        },
    };

    public static JsonObject Plugin(string version, int instances = 1, string? deadline = null)
    {
        var plugin = new JsonObject { ["Version"] = version, ["Instances"] = instances };
        if (deadline is not null)
        {
            plugin["Deadline"] = deadline;
        }

        return plugin;
    }

    public static string Write(TempDirectory directory, JsonObject config, string name = "supervisor.json")
    {
        var path = directory.File(name);
        File.WriteAllText(path, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
