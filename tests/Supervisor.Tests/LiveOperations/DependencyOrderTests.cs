using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.LiveOperations;

/// <summary>DependsOn: start and stop order with real plugins, and the configuration errors it can make.</summary>
[TestClass]
public sealed class DependencyOrderTests
{
    [TestMethod]
    public async Task A_plugin_starts_only_once_its_dependency_is_ready_and_stops_before_it()
    {
        Repository.RequireArtifacts();
        using var dir = new TempDirectory();
        var options = EmbeddedSupervisor.Options(
            dir,
            ("chaos", new PluginOptions { Version = "1.0.0", DependsOn = ["echo"] }),
            ("echo", new PluginOptions { Version = "1.0.0" }));
        var supervisor = new PluginSupervisor(options);
        await using var log = new LifecycleLog(supervisor.WatchEventsAsync());
        try
        {
            await supervisor.StartAsync().DefaultTimeout();
            var echoReady = await log.WaitForAsync(e => e.Plugin == "echo" && e.Type == LifecycleEventType.Ready, "echo ready");
            var chaosStarted = await log.WaitForAsync(e => e.Plugin == "chaos" && e.Type == LifecycleEventType.Started, "chaos started");

            Assert.IsTrue(chaosStarted.Time.ToDateTimeOffset() >= echoReady.Time.ToDateTimeOffset(), $"chaos started at {chaosStarted.Time}, before echo was ready at {echoReady.Time}");
            await log.WaitForAsync(e => e.Plugin == "chaos" && e.Type == LifecycleEventType.Ready, "chaos ready");
        }
        finally
        {
            await supervisor.DisposeAsync();
        }

        var chaosExited = await log.WaitForAsync(e => e.Plugin == "chaos" && e.Type == LifecycleEventType.Exited, "chaos exited");
        var echoExited = await log.WaitForAsync(e => e.Plugin == "echo" && e.Type == LifecycleEventType.Exited, "echo exited");
        Assert.IsTrue(chaosExited.Time.ToDateTimeOffset() <= echoExited.Time.ToDateTimeOffset(), $"chaos exited at {chaosExited.Time}, after its dependency echo at {echoExited.Time}");
    }

    [TestMethod]
    public async Task A_dependency_cycle_stops_the_supervisor_at_start_with_exit_code_2_naming_the_plugins()
    {
        using var dir = new TempDirectory();
        var echo = SupervisorConfig.Plugin("1.0.0");
        echo["DependsOn"] = new JsonArray("chaos");
        var chaos = SupervisorConfig.Plugin("1.0.0");
        chaos["DependsOn"] = new JsonArray("echo");
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = echo, ["chaos"] = chaos }));
        await using var supervisor = SupervisorProcess.Launch(path);

        Assert.AreEqual(2, await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        StringAssert.Contains(supervisor.Output, "chaos → echo → chaos");
        StringAssert.Contains(supervisor.Output, path);
    }

    [TestMethod]
    public void Dependencies_order_the_plugins_in_waves_and_unknown_names_are_errors()
    {
        var plugins = new Dictionary<string, PluginOptions>(StringComparer.OrdinalIgnoreCase)
        {
            ["web"] = new() { DependsOn = ["orders", "billing"] },
            ["orders"] = new() { DependsOn = ["billing"] },
            ["billing"] = new(),
            ["audit"] = new() { DependsOn = ["ghost"] },
        };
        var errors = new List<string>();

        DependencyOrder.Validate(plugins, (key, message) => errors.Add($"{key}: {message}"));
        var waves = DependencyOrder.Waves(plugins);

        Assert.AreEqual("Supervisor:Plugins:audit:DependsOn:0: 'ghost' is not a configured plugin (configured: audit, billing, orders, web)", errors.Single());
        CollectionAssert.AreEqual(new[] { "audit, billing", "orders", "web" }, waves.Select(w => string.Join(", ", w)).ToList());
    }
}
