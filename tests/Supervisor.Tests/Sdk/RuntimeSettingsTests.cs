using System.Text.Json.Nodes;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>
/// The runtime settings the call path relies on reach the published processes: several .NET processes share the
/// cores of one call (the caller, the host, the plugin), and a thread-pool worker that spins while idle takes a core
/// from the next process in the chain. docs/performance.md, "Call path near the floor".
/// </summary>
[TestClass]
public sealed class RuntimeSettingsTests
{
    private const string SpinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    [ClassInitialize]
    public static void RequireArtifacts(TestContext _) => Repository.RequireArtifacts();

    [TestMethod]
    [DataRow("echo", "1.0.0")]
    [DataRow("echo", "2.0.0")]
    [DataRow("chaos", "1.0.0")]
    [DataRow("orders", "1.0.0")]
    public void A_plugin_built_on_the_SDK_runs_its_thread_pool_without_spinning(string plugin, string version)
    {
        var settings = ConfigProperties(Path.Combine(Repository.PluginsRoot, plugin, version, plugin + ".runtimeconfig.json"));

        Assert.AreEqual(0, settings[SpinLimit]?.GetValue<int>(), $"{plugin} {version}: {SpinLimit}");
    }

    [TestMethod]
    public void The_supervisor_host_uses_workstation_GC_and_no_thread_pool_spinning()
    {
        var settings = ConfigProperties(Path.Combine(Repository.Artifacts, "supervisor", "supervisor.runtimeconfig.json"));

        Assert.AreEqual(0, settings[SpinLimit]?.GetValue<int>(), SpinLimit);
        Assert.IsFalse(settings["System.GC.Server"]?.GetValue<bool>() ?? false, "System.GC.Server");
    }

    private static JsonObject ConfigProperties(string runtimeConfig)
    {
        var root = JsonNode.Parse(File.ReadAllText(runtimeConfig)) ?? throw new InvalidDataException($"{runtimeConfig} is empty");
        return root["runtimeOptions"]?["configProperties"] as JsonObject
            ?? throw new InvalidDataException($"{runtimeConfig} has no runtimeOptions.configProperties");
    }
}
