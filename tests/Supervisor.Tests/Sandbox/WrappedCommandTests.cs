using Supervisor.Configuration;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>Whatever a plugin's command is, it runs inside the wrappers that enter its sandbox.</summary>
[TestClass]
public sealed class WrappedCommandTests
{
    [TestMethod]
    public async Task A_plugin_whose_command_is_bin_sh_runs_under_its_own_uid_like_any_other()
    {
        using var dir = new TempDirectory();
        ScriptedPlugins.CreateRoot(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("orphaner", new PluginOptions { Version = "1.0.0" }));
        var instance = supervisor.GetPlugin("orphaner").Instances.Single();
        SandboxLayers.Require(instance, "identity");

        // The process the supervisor started (bwrap, or the plugin itself without namespaces) already has the plugin's ids.
        var uid = File.ReadAllLines($"/proc/{instance.Pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

        Assert.AreEqual(instance.Sandbox.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), uid, $"process {instance.Pid} runs as the plugin's uid");
    }
}
