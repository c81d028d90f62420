using System.Reflection.PortableExecutable;
using System.Text.Json;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>The start-up defaults the SDK sets in every plugin built on it (plugin-sdk/src/Supervisor.PluginSdk/build).</summary>
[TestClass]
public sealed class StartupDefaultsTests
{
    [TestMethod]
    public void A_published_JIT_plugin_is_ReadyToRun_with_a_workstation_GC_that_has_no_background_thread()
    {
        Repository.RequireArtifacts();
        var folder = Path.GetDirectoryName(Repository.PluginExecutable("echo", "1.0.0"))!;

        AssertStartupDefaults(folder, "echo");
    }

    /// <summary>Asserts the SDK's own assembly was precompiled and the runtime configuration turns the background GC off.</summary>
    internal static void AssertStartupDefaults(string publishFolder, string assemblyName)
    {
        var sdk = Path.Combine(publishFolder, "Supervisor.PluginSdk.dll");
        Assert.IsTrue(IsReadyToRun(sdk), $"{sdk} holds precompiled (ReadyToRun) code");
        Assert.IsTrue(IsReadyToRun(Path.Combine(publishFolder, "Grpc.AspNetCore.Server.dll")), "the plugin's packages are precompiled too");

        var runtimeConfig = Path.Combine(publishFolder, assemblyName + ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.IsTrue(properties.TryGetProperty("System.GC.Concurrent", out var concurrent) && !concurrent.GetBoolean(), $"{runtimeConfig} sets System.GC.Concurrent false");
        Assert.IsFalse(properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean(), $"{runtimeConfig} keeps the workstation GC");
    }

    // ReadyToRun code sits behind the CLI header's managed native header; an IL-only assembly has none.
    private static bool IsReadyToRun(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
