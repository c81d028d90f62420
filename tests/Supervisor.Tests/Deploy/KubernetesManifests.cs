using Supervisor.Tests.TestAssets;
using YamlDotNet.RepresentationModel;

namespace Supervisor.Tests.Deploy;

/// <summary>The YAML documents under <c>deploy/kubernetes</c>, and the parts of them the tests look at.</summary>
internal static class KubernetesManifests
{
    public static string Folder => Path.Combine(Repository.Root, "deploy", "kubernetes");

    /// <summary>Every document of every YAML file, with the file it came from.</summary>
    public static IReadOnlyList<(string File, YamlNode Root)> LoadAll()
    {
        var documents = new List<(string, YamlNode)>();
        foreach (var path in Directory.EnumerateFiles(Folder).Where(p => p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = File.OpenText(path);
            var stream = new YamlStream();
            stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => (Path.GetFileName(path), d.RootNode)));
        }

        return documents;
    }

    /// <summary>The one document of this <c>kind</c>.</summary>
    public static YamlNode Single(string kind) => LoadAll().Single(d => Text(d.Root["kind"]) == kind).Root;

    public static YamlNode PodSpec => Single("Deployment")["spec"]["template"]["spec"];

    public static YamlNode Container(string name) => ((YamlSequenceNode)PodSpec["containers"]).Single(c => Text(c["name"]) == name);

    /// <summary>The supervisor.json the ConfigMap carries.</summary>
    public static string ConfigMapSupervisorJson => Text(Single("ConfigMap")["data"]["supervisor.json"]);

    /// <summary>The container port a probe or Service names, by number or by the container's port name.</summary>
    public static int ContainerPort(YamlNode container, YamlNode port) =>
        int.TryParse(Text(port), out var number)
            ? number
            : Integer(((YamlSequenceNode)container["ports"]).Single(p => Text(p["name"]) == Text(port))["containerPort"]);

    /// <summary>How long the preStop hook holds SIGTERM back (<c>sleep N</c>).</summary>
    public static TimeSpan PreStop(YamlNode container) =>
        TimeSpan.FromSeconds(Integer(((YamlSequenceNode)container["lifecycle"]["preStop"]["exec"]["command"])[1]));

    public static TimeSpan TerminationGracePeriod => TimeSpan.FromSeconds(Integer(PodSpec["terminationGracePeriodSeconds"]));

    public static int Integer(YamlNode node) => int.Parse(Text(node), System.Globalization.CultureInfo.InvariantCulture);

    public static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;

    public static bool Has(YamlNode mapping, string key) => ((YamlMappingNode)mapping).Children.ContainsKey(key);
}
