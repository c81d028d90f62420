using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deployments;

/// <summary>The active version survives a supervisor restart: what operators rely on after a roll.</summary>
[TestClass]
public sealed class DesiredStateTests
{
    [TestMethod]
    public async Task A_restarted_supervisor_comes_back_on_the_rolled_version()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        await using (var first = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo())))
        {
            await first.RollPluginAsync("echo", "2.0.0", wait: true).DefaultTimeout();
        }

        await using var second = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo()));
        var reply = await second.DispatchAsync("echo", TestEvents.Create("customer.created", "x")).AsTask().DefaultTimeout();
        var plugin = second.GetPlugin("echo");

        Assert.AreEqual("2.0.0", reply.PluginVersion);
        Assert.AreEqual("2.0.0", plugin.ActiveVersion);
        Assert.AreEqual("1.0.0", plugin.PreviousVersion, "a rollback after the restart still knows where to go");
        Assert.IsEmpty(Directory.GetFiles(dir.File("state"), "*.tmp"), "no temporary file is left behind");
    }

    [TestMethod]
    public async Task A_changed_configuration_wins_over_an_older_roll()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        await using (var first = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo())))
        {
            await first.RollPluginAsync("echo", "2.0.0", wait: true).DefaultTimeout();
        }

        // The operator has since set Version to 3.0.0: the configuration is the newer intent.
        var edited = RollingTests.Echo();
        edited.Version = "3.0.0";
        await using var second = await EmbeddedSupervisor.StartAsync(dir, ("echo", edited));

        Assert.AreEqual("3.0.0", second.GetPlugin("echo").ActiveVersion);
        Assert.AreEqual(string.Empty, second.GetPlugin("echo").PreviousVersion);
    }

    [TestMethod]
    public async Task A_corrupt_state_file_is_set_aside_and_the_configured_versions_start()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        Directory.CreateDirectory(dir.File("state"));
        await File.WriteAllTextAsync(dir.File("state/state.json"), "{ \"format\": 1, \"plugins\": { \"echo\": ");

        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo()));
        var plugin = supervisor.GetPlugin("echo");
        await supervisor.RollPluginAsync("echo", "2.0.0", wait: true).DefaultTimeout();

        Assert.AreEqual("1.0.0", plugin.ActiveVersion);
        Assert.AreEqual(PluginState.Running, plugin.State);
        var setAside = Directory.GetFiles(dir.File("state"), "state.json.unreadable-*");
        Assert.HasCount(1, setAside);
        StringAssert.Contains(await File.ReadAllTextAsync(setAside[0]), "\"echo\": ");
        StringAssert.Contains(await File.ReadAllTextAsync(dir.File("state/state.json")), "\"activeVersion\": \"2.0.0\"");
    }

    [TestMethod]
    public async Task A_rolled_version_no_longer_on_disk_falls_back_to_the_configured_one()
    {
        using var dir = new TempDirectory();
        var root = VersionedPlugins.CreateRoot(dir);
        await using (var first = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo())))
        {
            await first.RollPluginAsync("echo", "2.0.0", wait: true).DefaultTimeout();
        }

        Directory.Delete(Path.Combine(root, "echo", "2.0.0"));
        await using var second = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo()));

        Assert.AreEqual("1.0.0", second.GetPlugin("echo").ActiveVersion);
        Assert.AreEqual(PluginState.Running, second.GetPlugin("echo").State);
    }
    [TestMethod]
    public async Task A_state_file_whose_plugins_are_null_is_set_aside_and_the_configured_versions_start()
    {
        using var dir = new TempDirectory();
        VersionedPlugins.CreateRoot(dir);
        Directory.CreateDirectory(dir.File("state"));
        await File.WriteAllTextAsync(dir.File("state/state.json"), "{ \"format\": 1, \"plugins\": null }");

        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo()));
        var plugin = supervisor.GetPlugin("echo");

        Assert.AreEqual("1.0.0", plugin.ActiveVersion);
        Assert.AreEqual(PluginState.Running, plugin.State);
        Assert.HasCount(1, Directory.GetFiles(dir.File("state"), "state.json.unreadable-*"));
    }

    [TestMethod]
    [DataRow("\"activeVersion\": \"../..\", \"previousVersion\": \"1.0.0\"")]
    [DataRow("\"activeVersion\": \"2.0.0\", \"previousVersion\": \"../..\"")]
    [DataRow("\"activeVersion\": null, \"previousVersion\": \"1.0.0\"")]
    public async Task A_state_entry_naming_no_version_folder_is_ignored_and_the_configured_version_starts(string versions)
    {
        using var dir = new TempDirectory();
        var root = VersionedPlugins.CreateRoot(dir);
        // What "../.." reaches from PluginsRoot/echo/: a plugin.json that a state entry must never make the supervisor run.
        await File.WriteAllTextAsync(Path.Combine(root, "echo", "..", "..", "plugin.json"), $$"""{ "command": "{{Repository.PluginExecutable("echo", "2.0.0")}}" }""");
        Directory.CreateDirectory(dir.File("state"));
        await File.WriteAllTextAsync(
            dir.File("state/state.json"),
            $$"""{ "format": 1, "plugins": { "echo": { {{versions}}, "configuredVersion": "1.0.0", "updatedAt": "2026-01-01T00:00:00+00:00" } } }""");

        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", RollingTests.Echo()));
        var plugin = supervisor.GetPlugin("echo");
        var reply = await supervisor.DispatchAsync("echo", TestEvents.Create("customer.created", "x")).AsTask().DefaultTimeout();

        Assert.AreEqual("1.0.0", plugin.ActiveVersion);
        Assert.AreEqual(string.Empty, plugin.PreviousVersion);
        Assert.AreEqual("1.0.0", reply.PluginVersion);
        Assert.AreEqual(PluginState.Running, plugin.State);
    }
}
