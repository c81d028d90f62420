using System.Text;
using System.Text.Json;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>
/// The start-up defaults a plugin gets: the runtime settings the SDK sets in every plugin built on it
/// (plugin-sdk/src/Supervisor.PluginSdk/build), and the publish settings of the <c>dotnet new</c> template's project,
/// which the <c>echo-composite</c> sample shares.
/// </summary>
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

    [TestMethod]
    public void The_published_composite_echo_is_self_contained_trimmed_and_precompiled_as_one_composite_image_like_a_template_plugin()
    {
        Repository.RequireArtifacts();
        var folder = Path.Combine(Repository.PluginsRoot, "echo-composite", "1.0.0");

        AssertStartupDefaults(folder, "echo");
        AssertTemplatePublishDefaults(folder, "echo");
    }

    [TestMethod]
    public void A_Native_AOT_plugin_leaves_Kestrels_HTTPS_server_code_out_of_its_executable()
    {
        Repository.RequireArtifacts();
        var executable = Path.Combine(Repository.PluginsRoot, ManualPlugin.NativeEcho, "1.0.0", "echo");
        ManualPlugin.RequireNativeEcho(executable);

        // Native AOT keeps the names of the types it compiled in for stack traces, so a name's absence means the code
        // is gone; KestrelServer, which the shim runs, shows that the names are there to find.
        var image = File.ReadAllBytes(executable);
        Assert.IsTrue(Contains(image, "KestrelServer"), $"{executable} names the types it holds (KestrelServer)");
        foreach (var type in (string[])["HttpsConnectionMiddleware", "SslStream"])
        {
            Assert.IsFalse(Contains(image, type), $"{executable} holds {type}: the SDK's substitution (build/PluginSupervisor.Sdk.Substitutions.xml) did not apply");
        }
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

    /// <summary>
    /// Asserts the folder holds a self-contained, trimmed publish whose framework and application are compiled into
    /// one ReadyToRun composite image (<c>&lt;assembly&gt;.r2r.dll</c>): the template's defaults for a fast JIT start.
    /// </summary>
    internal static void AssertTemplatePublishDefaults(string publishFolder, string assemblyName)
    {
        var runtimeConfig = Path.Combine(publishFolder, assemblyName + ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        Assert.IsTrue(json.RootElement.GetProperty("runtimeOptions").TryGetProperty("includedFrameworks", out _), $"{runtimeConfig} is a self-contained app's (includedFrameworks)");
        Assert.IsTrue(File.Exists(Path.Combine(publishFolder, "System.Private.CoreLib.dll")), $"{publishFolder} carries the runtime");
        Assert.IsTrue(File.Exists(Path.Combine(publishFolder, assemblyName + ".r2r.dll")), $"{publishFolder} has the ReadyToRun composite image {assemblyName}.r2r.dll");
        Assert.IsFalse(File.Exists(Path.Combine(publishFolder, "System.Private.Xml.dll")), $"{publishFolder} is trimmed: no System.Private.Xml.dll, which no plugin of the SDK uses");
    }

    private static bool Contains(byte[] image, string text) => image.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;
}
