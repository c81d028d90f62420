using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Tests.TestAssets;
using YamlDotNet.RepresentationModel;
using static Supervisor.Tests.Deploy.KubernetesManifests;

namespace Supervisor.Tests.Deploy;

/// <summary>deploy/kubernetes: what a cluster reads, checked against the supervisor it runs.</summary>
[TestClass]
public sealed class KubernetesManifestTests
{
    // What the supervisor spends after ShutdownTimeout at most: the plugin Shutdown call (2 s), the wait for its exit
    // (2 s) and after a kill (2 s) in InstanceShutdown, and the stop of each of its three listeners (2 s) in SupervisorHost.
    private static readonly TimeSpan FixedShutdownSteps = TimeSpan.FromSeconds(12);

    [TestMethod]
    public void Every_document_parses_names_its_kind_and_is_listed_in_the_kustomization()
    {
        var documents = LoadAll();
        var resources = ((YamlSequenceNode)Single("Kustomization")["resources"]).Select(Text).ToArray();

        Assert.IsTrue(documents.All(d => d.Root is YamlMappingNode && Has(d.Root, "apiVersion") && Has(d.Root, "kind")), "a document without apiVersion and kind");
        CollectionAssert.AreEquivalent(documents.Select(d => d.File).Where(f => f != "kustomization.yaml").Distinct().ToArray(), resources);
    }

    [TestMethod]
    public void The_ConfigMaps_supervisor_json_is_the_images_and_the_config_loader_accepts_it()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        var configMap = ContainerConfig.Parse(ConfigMapSupervisorJson);
        var path = SupervisorConfig.Write(dir, ContainerConfig.RunnableIn(configMap, dir));

        var options = SupervisorConfiguration.Load(path, new Dictionary<string, string>());

        Assert.IsTrue(JsonNode.DeepEquals(ContainerConfig.Load(), configMap), "configmap.yaml's supervisor.json differs from deploy/container/supervisor.json");
        CollectionAssert.AreEquivalent(configMap["Supervisor"]!["Plugins"]!.AsObject().Select(p => p.Key).ToArray(), options.Plugins.Keys.ToArray());
    }

    [TestMethod]
    public void The_probes_ask_the_monitoring_listener_healthz_for_liveness_and_readyz_for_readiness()
    {
        var monitoring = ContainerConfig.Port(ContainerConfig.Parse(ConfigMapSupervisorJson), "Monitoring");
        var container = Container("supervisor");

        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz") })
        {
            var get = container[probe]["httpGet"];
            Assert.AreEqual(path, Text(get["path"]), probe);
            Assert.AreEqual(monitoring, ContainerPort(container, get["port"]), probe);
        }
    }

    [TestMethod]
    public void The_Service_sends_its_ports_to_the_supervisors_events_and_monitoring_listeners()
    {
        var config = ContainerConfig.Parse(ConfigMapSupervisorJson);
        var service = Single("Service")["spec"];
        var podLabels = (YamlMappingNode)Single("Deployment")["spec"]["template"]["metadata"]["labels"];

        int Target(string name) => ContainerPort(Container("supervisor"), ((YamlSequenceNode)service["ports"]).Single(p => Text(p["name"]) == name)["targetPort"]);

        Assert.AreEqual(ContainerConfig.Port(config, "Events"), Target("events"));
        Assert.AreEqual(ContainerConfig.Port(config, "Monitoring"), Target("monitoring"));
        Assert.IsTrue(((YamlMappingNode)service["selector"]).All(l => podLabels.Children.TryGetValue(l.Key, out var v) && v.Equals(l.Value)), "the selector matches the pods");
    }

    [TestMethod]
    public void The_termination_grace_period_outlasts_preStop_and_the_supervisors_whole_shutdown()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, ContainerConfig.RunnableIn(ContainerConfig.Parse(ConfigMapSupervisorJson), dir));
        var shutdownTimeout = SupervisorConfiguration.Load(path, new Dictionary<string, string>()).ShutdownTimeout;

        Assert.IsGreaterThan(PreStop(Container("supervisor")) + shutdownTimeout + FixedShutdownSteps, TerminationGracePeriod);
    }

    [TestMethod]
    public void The_supervisor_is_root_only_in_the_pods_user_namespace_with_just_the_capabilities_the_sandbox_needs()
    {
        var pod = PodSpec["securityContext"];
        var supervisor = Container("supervisor")["securityContext"];
        var containers = ((YamlSequenceNode)PodSpec["containers"]).Concat((YamlSequenceNode)PodSpec["initContainers"]).ToList();

        Assert.AreEqual("false", Text(PodSpec["hostUsers"]), "root in the container maps to an unprivileged uid on the node");
        Assert.AreEqual(Dockerfile.Load().Final("USER"), Text(pod["runAsUser"]));
        CollectionAssert.AreEqual(new[] { "ALL" }, ((YamlSequenceNode)supervisor["capabilities"]["drop"]).Select(Text).ToArray());
        CollectionAssert.AreEquivalent(new[] { "CHOWN", "DAC_OVERRIDE", "KILL", "SETGID", "SETUID", "SETPCAP" }, ((YamlSequenceNode)supervisor["capabilities"]["add"]).Select(Text).ToArray());
        Assert.IsTrue(containers.All(c => Text(c["securityContext"]["readOnlyRootFilesystem"]) == "true" && Text(c["securityContext"]["allowPrivilegeEscalation"]) == "false"));
    }

    [TestMethod]
    public void The_config_plugins_and_every_folder_the_supervisor_writes_are_mounted_from_the_pods_volumes()
    {
        var supervisor = ContainerConfig.Parse(ConfigMapSupervisorJson)["Supervisor"]!;
        var mounts = ((YamlSequenceNode)Container("supervisor")["volumeMounts"]).ToDictionary(m => Text(m["mountPath"]), m => (Volume: Text(m["name"]), ReadOnly: Has(m, "readOnly") && Text(m["readOnly"]) == "true"));
        var volumes = ((YamlSequenceNode)PodSpec["volumes"]).ToDictionary(v => Text(v["name"]), v => v);
        var configPath = Dockerfile.Load().FinalExecForm("ENTRYPOINT")[^1];

        var config = mounts[Path.GetDirectoryName(configPath)!];
        Assert.AreEqual(Text(Single("ConfigMap")["metadata"]["name"]), Text(volumes[config.Volume]["configMap"]["name"]));
        Assert.IsTrue(Has(Single("ConfigMap")["data"], Path.GetFileName(configPath)), "the ConfigMap's key is the file the entrypoint reads");
        Assert.IsTrue(mounts.ContainsKey((string)supervisor["PluginsRoot"]!), "PluginsRoot is a volume");
        // state.json and the admin socket; plugin sockets and .NET's diagnostics socket under /tmp.
        Assert.IsFalse(mounts[(string)supervisor["StateDirectory"]!].ReadOnly, "StateDirectory is writable");
        Assert.IsFalse(mounts["/tmp"].ReadOnly, "/tmp is writable");
    }
}
