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
