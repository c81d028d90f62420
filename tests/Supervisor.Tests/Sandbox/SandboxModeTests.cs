using System.Text.Json.Nodes;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>
/// <c>Sandbox:Mode</c> on a host without one layer: bubblewrap is left off the supervisor's PATH, which decides the
/// tools it may use.
/// </summary>
[TestClass]
public sealed class SandboxModeTests
{
    [TestMethod]
    public async Task Required_mode_on_a_host_without_bubblewrap_refuses_to_start_naming_the_plugin_and_the_layer()
    {
        using var dir = new TempDirectory();
        var json = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["Sandbox"] = new JsonObject { ["Mode"] = "required" };
        await using var supervisor = SupervisorProcess.Launch(SupervisorConfig.Write(dir, json), WithoutBubblewrap(dir));

        var exit = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.AreEqual(2, exit, supervisor.Output);
        StringAssert.Contains(supervisor.Output, "Supervisor:Sandbox:Mode");
        StringAssert.Contains(supervisor.Output, "plugin 'echo' cannot have its namespaces layer");
        StringAssert.Contains(supervisor.Output, "bubblewrap (bwrap) is not installed");
        Assert.IsEmpty(supervisor.PluginPids(), "no plugin was started");
    }

    [TestMethod]
    public async Task Auto_mode_on_a_host_without_bubblewrap_runs_the_plugin_and_says_which_layer_does_not_apply()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config, WithoutBubblewrap(dir));
        using var admin = supervisor.AdminChannel();

        var instance = (await new AdminService.AdminServiceClient(admin).GetPluginAsync(new GetPluginRequest { Plugin = "echo" })).Plugin.Instances.Single();

        var namespaces = instance.Sandbox.Layers.Single(l => l.Name == "namespaces");
        Assert.IsFalse(namespaces.Applied);
        StringAssert.Contains(namespaces.Detail, "bubblewrap (bwrap) is not installed");
        Assert.IsTrue(supervisor.Output.Contains("Sandbox layer namespaces: not applied", StringComparison.Ordinal), supervisor.Output);
        Assert.AreEqual(InstanceState.Ready, instance.State);
    }

    // A PATH with every tool the supervisor uses but bwrap; the .NET runtime is found through DOTNET_ROOT.
    private static Dictionary<string, string> WithoutBubblewrap(TempDirectory dir)
    {
        var bin = dir.File("bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "setsid", "setpriv", "sh" })
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            if (found is not null)
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), found);
            }
        }

        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return new Dictionary<string, string>
        {
            ["PATH"] = bin,
            ["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..")),
        };
    }
}
