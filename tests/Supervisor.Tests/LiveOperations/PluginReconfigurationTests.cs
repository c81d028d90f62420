using Supervisor.Configuration;
using Supervisor.Routing;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.LiveOperations;

/// <summary>An embedded supervisor's ReloadAsync: plugins added and removed, and how each kind of key is applied.</summary>
[TestClass]
public sealed class PluginReconfigurationTests
{
    [TestMethod]
    public async Task A_plugin_added_by_a_reload_serves_and_a_removed_one_is_not_found_and_its_processes_exit()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));
        var echoPid = supervisor.GetPlugin("echo").Instances.Single().Pid;

        var added = await supervisor.ReloadAsync(EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0" }), ("chaos", new PluginOptions { Version = "1.0.0" }))).DefaultTimeout();
        var reply = await supervisor.DispatchAsync("chaos", TestEvents.Create("echo", "hi")).AsTask().DefaultTimeout();
        var removed = await supervisor.ReloadAsync(EmbeddedSupervisor.Options(dir, ("chaos", new PluginOptions { Version = "1.0.0" }))).DefaultTimeout();

        Assert.AreEqual("chaos: added on 1.0.0", added.Single());
        Assert.AreEqual("hi", reply.Payload.ToStringUtf8());
        Assert.AreEqual("echo: removed; its instances drain and stop", removed.Single());
        var notFound = Assert.ThrowsExactly<DispatchException>(() => supervisor.DispatchAsync("echo", TestEvents.Create("x", string.Empty)));
        Assert.AreEqual(DispatchError.NotFound, notFound.Error);
        await Wait.UntilAsync(() => !Directory.Exists($"/proc/{echoPid}") || File.ReadAllText($"/proc/{echoPid}/stat").Contains(") Z ", StringComparison.Ordinal), $"echo's process {echoPid} to exit");
    }

    [TestMethod]
    public async Task With_Discover_an_unlisted_plugin_runs_on_its_highest_complete_version_and_a_reload_does_not_roll_it()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        var root = dir.File("plugins");
        Directory.CreateDirectory(Path.Combine(root, "echo"));
        Directory.CreateSymbolicLink(Path.Combine(root, "echo", "1.0.0"), Path.Combine(Repository.PluginsRoot, "echo", "1.0.0"));
        Directory.CreateSymbolicLink(Path.Combine(root, "echo", "2.0.0"), Path.Combine(Repository.PluginsRoot, "echo", "2.0.0"));
        Repository.CopyPluginBuild("echo", "2.0.0", Path.Combine(root, "echo", "10.0.0")); // half-copied: no plugin.json yet
        var options = EmbeddedSupervisor.Options(dir);
        options.Discover = true;
        await using var supervisor = new PluginSupervisor(options);
        await supervisor.StartAsync().DefaultTimeout();

        var reply = await supervisor.DispatchAsync("echo", TestEvents.Create("x", "hi")).AsTask().DefaultTimeout();
        Assert.AreEqual("2.0.0", reply.PluginVersion, "the highest complete version; 10.0.0 has no plugin.json yet");

        File.Copy(Path.Combine(Repository.PluginsRoot, "echo", "2.0.0", "plugin.json"), Path.Combine(root, "echo", "10.0.0", "plugin.json"));
        var reloaded = EmbeddedSupervisor.Options(dir);
        reloaded.Discover = true;
        var changes = await supervisor.ReloadAsync(reloaded).DefaultTimeout();

        Assert.AreEqual(0, changes.Count, string.Join("; ", changes));
        Assert.AreEqual("2.0.0", supervisor.GetPlugin("echo").ActiveVersion, "a discovered plugin keeps its version across reloads; rolling is AutoRoll's or an operator's");
    }

    [TestMethod]
    public void A_change_is_sorted_into_in_place_recycle_instances_and_version()
    {
        var current = new PluginOptions { Version = "1.0.0", Instances = 2 };
        var next = current.Clone();
        next.Deadline = TimeSpan.FromSeconds(5);
        next.HangGrace = TimeSpan.FromSeconds(2);
        next.Settings["mode"] = "fast";
        next.MaxConcurrency = 8;
        next.Instances = 3;

        var diff = PluginOptionsDiff.Between(current, next);

        CollectionAssert.AreEqual(new[] { "Deadline", "HangGrace" }, diff.Live.ToList());
        CollectionAssert.AreEqual(new[] { "Settings", "MaxConcurrency" }, diff.Recycle.ToList());
        Assert.IsTrue(diff.Instances);
        Assert.IsFalse(diff.Version);
        Assert.IsTrue(PluginOptionsDiff.Between(current, current.Clone()).IsEmpty, "a copy differs in nothing");
    }
}
