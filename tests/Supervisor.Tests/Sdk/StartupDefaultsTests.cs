using System.Text.Json;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>The start-up defaults the SDK sets in every plugin built on it (plugin-sdk/src/Supervisor.PluginSdk/build).</summary>
[TestClass]
public sealed class StartupDefaultsTests
{
    [TestMethod]
    public void A_published_JIT_plugin_runs_a_workstation_GC_that_has_no_background_thread()
    {
        Repository.RequireArtifacts();
        var folder = Path.GetDirectoryName(Repository.PluginExecutable("echo", "1.0.0"))!;

        AssertStartupDefaults(folder, "echo");
    }

    /// <summary>Asserts the runtime configuration keeps the workstation GC and turns its background thread off.</summary>
    internal static void AssertStartupDefaults(string publishFolder, string assemblyName)
    {
        var runtimeConfig = Path.Combine(publishFolder, assemblyName + ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.IsTrue(properties.TryGetProperty("System.GC.Concurrent", out var concurrent) && !concurrent.GetBoolean(), $"{runtimeConfig} sets System.GC.Concurrent false");
        Assert.IsFalse(properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean(), $"{runtimeConfig} keeps the workstation GC");
    }
}
