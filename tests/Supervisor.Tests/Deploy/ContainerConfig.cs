using System.Text.Json.Nodes;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deploy;

/// <summary><c>deploy/container/supervisor.json</c>: the configuration the image carries and the ConfigMap repeats.</summary>
internal static class ContainerConfig
{
    public static string Path => System.IO.Path.Combine(Repository.Root, "deploy", "container", "supervisor.json");

    public static JsonObject Load() => Parse(File.ReadAllText(Path));

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>The port of a section's <c>Listen</c> address, e.g. 9464 for <c>Monitoring</c>.</summary>
    public static int Port(JsonObject config, string section) => new Uri((string)config["Supervisor"]![section]!["Listen"]!).Port;

    /// <summary>How many plugin processes the configuration starts.</summary>
    public static int Instances(JsonObject config) =>
        config["Supervisor"]!["Plugins"]!.AsObject().Sum(p => (int?)p.Value!["Instances"] ?? 1);

    /// <summary>
    /// The container's configuration moved onto this machine: the state directory (and the admin socket in it) into
    /// <paramref name="directory"/>, the plugins from the published artifacts; plugins, timeouts and listeners stay.
    /// </summary>
    public static JsonObject RunnableIn(JsonObject config, TempDirectory directory)
    {
        var copy = config.DeepClone().AsObject();
        var supervisor = copy["Supervisor"]!.AsObject();
        supervisor["PluginsRoot"] = Repository.PluginsRoot;
        supervisor["StateDirectory"] = directory.File("state");
        supervisor["Admin"]!["Listen"] = "unix://" + directory.File("state/admin.sock");
        return copy;
    }
}
