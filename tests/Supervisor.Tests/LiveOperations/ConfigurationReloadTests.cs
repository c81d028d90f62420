using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.Conformance;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.LiveOperations;

/// <summary>ReloadConfig, SIGHUP and a change of the file, on the published <c>supervisor</c> with real plugins.</summary>
[TestClass]
public sealed class ConfigurationReloadTests
{
    private const int SIGHUP = 1;

    // Two new processes and a drain under four callers: generous for a loaded 2-core machine.
    private static readonly TimeSpan Recycle = TimeSpan.FromSeconds(60);

    [TestMethod]
    public async Task A_reload_under_steady_load_applies_instances_settings_and_deadline_and_fails_no_call()
    {
        var plugin = ConformancePlugins.Require("dotnet");
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { [plugin] = Plugin("one", instances: 1) });
        var path = SupervisorConfig.Write(dir, config);
        await using var supervisor = await SupervisorProcess.StartAsync(path);
        using var events = SupervisorChannel.Create(supervisor.EventsAddress);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);
        var client = new EventService.EventServiceClient(events);
        await using var load = SteadyLoad.Start(4, async ct => Greeting(await client.DispatchAsync(Dispatch(plugin), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct)));
        await load.WaitForCallsAsync(50, "before the reload");
        var oldPid = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }).ResponseAsync).Plugin.Instances.Single().Pid;

        config["Supervisor"]!["Plugins"]![plugin] = Plugin("two", instances: 2, deadline: "00:00:20");
        SupervisorConfig.Write(dir, config);
        var reload = await admin.ReloadConfigAsync(new ReloadConfigRequest()).ResponseAsync.DefaultTimeout();

        Assert.AreEqual(path, reload.Source);
        var change = reload.Changes.Single();
        StringAssert.Contains(change, "Instances 1 → 2");
        StringAssert.Contains(change, "Settings");
        StringAssert.Contains(change, "Deadline");
        await Wait.UntilAsync(() => load.Calls.Any(c => c.Version == "two"), "a call answered with the new Settings", Recycle);
        await Wait.UntilAsync(async () => Settled((await admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }).ResponseAsync).Plugin, 2, oldPid), "two ready instances, the old one drained", Recycle);
        var settled = load.Calls.Count;
        await load.WaitForCallsAsync(settled + 50, "after the reload");
        await load.StopAsync();

        Assert.AreEqual(0, load.Failures.Count, $"{load.Failures.Count} of {load.Calls.Count} calls failed during the reload:\n{load.DescribeFailures()}");
        var after = load.Calls.Skip(settled).Select(c => c.Version).Distinct().ToList();
        CollectionAssert.AreEqual(new[] { "two" }, after, $"every call after the recycle reaches an instance with the new Settings; got {string.Join(", ", load.Calls.Skip(settled).GroupBy(c => c.Version).Select(g => $"{g.Key} ×{g.Count()}"))}");
        var info = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }).ResponseAsync).Plugin;
        Assert.AreEqual(2u, info.DesiredInstances);
    }

    [TestMethod]
    public async Task An_invalid_reload_changes_nothing_and_names_the_key_and_the_file()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        var path = SupervisorConfig.Write(dir, config);
        await using var supervisor = await SupervisorProcess.StartAsync(path);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);
        var before = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" }).ResponseAsync).Plugin;
        using var watch = admin.WatchEvents(new WatchEventsRequest());

        // The headers come once the subscription is in place: no event after them is missed.
        await watch.ResponseHeadersAsync.DefaultTimeout();
        await using var log = new LifecycleLog(watch.ResponseStream.ReadAllAsync());

        config["Supervisor"]!["Plugins"]!["echo"]!["Instances"] = 0;
        config["Supervisor"]!["Plugins"]!["chaos"] = SupervisorConfig.Plugin("1.0.0");
        SupervisorConfig.Write(dir, config);
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.ReloadConfigAsync(new ReloadConfigRequest()).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(StatusCode.InvalidArgument, refused.StatusCode);
        StringAssert.Contains(refused.Status.Detail, "Supervisor:Plugins:echo:Instances");
        StringAssert.Contains(refused.Status.Detail, path);
        var rejected = await log.WaitForAsync(e => e.Type == LifecycleEventType.ConfigRejected, "a config_rejected event");
        StringAssert.Contains(rejected.Message, "Supervisor:Plugins:echo:Instances");
        StringAssert.Contains(rejected.Message, path);
        var after = (await admin.ListPluginsAsync(new ListPluginsRequest()).ResponseAsync).Plugins;
        CollectionAssert.AreEqual(new[] { "echo" }, after.Select(p => p.Name).ToList(), "the valid half of the file (a new plugin) must not have been applied");
        Assert.AreEqual(before.Instances.Single().Pid, after.Single().Instances.Single().Pid, "the running instance must be untouched");
        Assert.AreEqual(1u, after.Single().DesiredInstances);
    }

    [TestMethod]
    public async Task A_reload_that_changes_a_listen_address_is_refused_naming_the_key()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        var path = SupervisorConfig.Write(dir, config);
        await using var supervisor = await SupervisorProcess.StartAsync(path);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);

        config["Supervisor"]!["Events"]!["Listen"] = "unix://" + dir.File("other-events.sock");
        config["Supervisor"]!["Plugins"]!["echo"]!["Instances"] = 2;
        SupervisorConfig.Write(dir, config);
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.ReloadConfigAsync(new ReloadConfigRequest()).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(StatusCode.InvalidArgument, refused.StatusCode);
        StringAssert.Contains(refused.Status.Detail, "Supervisor:Events:Listen");
        StringAssert.Contains(refused.Status.Detail, "needs a restart");
        Assert.AreEqual(1u, (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" }).ResponseAsync).Plugin.DesiredInstances);
    }

    [TestMethod]
    public async Task A_change_of_the_file_is_applied_and_SIGHUP_reloads_without_ending_the_supervisor()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        var path = SupervisorConfig.Write(dir, config);
        await using var supervisor = await SupervisorProcess.StartAsync(path);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);

        config["Supervisor"]!["Plugins"]!["chaos"] = SupervisorConfig.Plugin("1.0.0");
        SupervisorConfig.Write(dir, config);
        await supervisor.WaitForLineAsync(l => l.Contains($"The configuration file {path} changed", StringComparison.Ordinal));
        await Wait.UntilAsync(async () => (await admin.ListPluginsAsync(new ListPluginsRequest()).ResponseAsync).Plugins.Any(p => p.Name == "chaos" && Ready(p) == 1), "chaos added by the file change");

        supervisor.Signal(SIGHUP);
        await supervisor.WaitForLineAsync(l => l.Contains("SIGHUP received: reloading the configuration", StringComparison.Ordinal));
        await supervisor.WaitForLineAsync(l => l.Contains("Configuration reloaded from", StringComparison.Ordinal) && l.Contains("nothing changed", StringComparison.Ordinal));

        Assert.IsFalse(supervisor.HasExited, "SIGHUP must reload, not end the supervisor");
        Assert.AreEqual(2, (await admin.ListPluginsAsync(new ListPluginsRequest()).ResponseAsync).Plugins.Count);
    }

    private static JsonObject Plugin(string greeting, int instances, string? deadline = null)
    {
        var plugin = SupervisorConfig.Plugin(ConformancePlugins.Version, instances, deadline);
        plugin["Settings"] = new JsonObject { ["greeting"] = greeting };
        return plugin;
    }

    private static DispatchRequest Dispatch(string plugin) => new() { Plugin = plugin, Event = TestEvents.Create("settings", string.Empty) };

    private static string Greeting(DispatchResponse reply) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(reply.Payload.ToStringUtf8())!["greeting"];

    private static int Ready(PluginInfo plugin) => plugin.Instances.Count(i => i.State == InstanceState.Ready);

    private static bool Settled(PluginInfo plugin, int instances, int oldPid) =>
        plugin.Instances.Count == instances && Ready(plugin) == instances && plugin.Instances.All(i => i.Pid != oldPid);
}
