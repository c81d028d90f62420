using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>
/// Every SDK: the start hook runs before the ready line and its failure is a start failure the supervisor reports with
/// the hook's message; the stop hook runs on a drain with the grace as its cancellation.
/// </summary>
[TestClass]
public sealed class HookConformanceTests
{
    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task The_first_call_sees_what_the_start_hook_set_up(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;

        var reply = await client.HandleEventAsync(ConformancePlugins.Request("lifecycle", string.Empty)).ResponseAsync.DefaultTimeout();

        Assert.AreEqual("started by the start hook", reply.Payload.ToStringUtf8());
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_failing_start_hook_is_a_start_failure_whose_event_and_quarantine_carry_the_hooks_message(string sdk)
    {
        var name = ConformancePlugins.Require(sdk);
        using var dir = new TempDirectory();
        var message = $"cannot reach the database at db:5432 ({sdk})";
        var options = EmbeddedSupervisor.Options(dir, (name, new PluginOptions
        {
            Version = ConformancePlugins.Version,
            MaxRestarts = 0,
            Settings = { ["failStart"] = message },
        }));
        await using var supervisor = new PluginSupervisor(options);
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync(name));
        await supervisor.StartAsync().DefaultTimeout();

        var failed = await events.WaitForAsync(e => e.Type == LifecycleEventType.StartFailed, "the failed start");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Quarantined, "the quarantine");

        StringAssert.Contains(failed.Message, $"{name}: the start hook failed: ConformanceError: {message}");
        StringAssert.Contains(failed.Message, "exited before it was ready (exit code 3)");
        StringAssert.Contains(supervisor.GetPlugin(name).QuarantineReason, message);
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task Shutdown_runs_the_stop_hook_and_the_plugin_exits_0_without_waiting_out_the_grace(string sdk)
    {
        using var dir = new TempDirectory();
        var stopFile = dir.File("stopped");
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk, Settings(("stopFile", stopFile)));
        var client = plugin.Client(out var channel);
        using var _ = channel;
        var started = Stopwatch.StartNew();

        await client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.FromSeconds(20)) }).ResponseAsync.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(0, plugin.Process.ExitCode, plugin.Stderr);
        Assert.AreEqual("stopped", File.ReadAllText(stopFile));
        Assert.IsLessThan(TimeSpan.FromSeconds(15), started.Elapsed, "a stop hook that returned ends the drain; the grace is an upper bound");
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task SIGTERM_runs_the_stop_hook(string sdk)
    {
        using var dir = new TempDirectory();
        var stopFile = dir.File("stopped");
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk, Settings(("stopFile", stopFile)));

        Posix.Signal(plugin.Process.Id, Posix.SigTerm);
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(0, plugin.Process.ExitCode, plugin.Stderr);
        Assert.AreEqual("stopped", File.ReadAllText(stopFile));
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_stop_hook_that_runs_on_is_cancelled_when_the_grace_ends_and_the_plugin_exits_0(string sdk)
    {
        using var dir = new TempDirectory();
        var stopFile = dir.File("stopped");
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk, Settings(("stopFile", stopFile), ("stopWaits", "true")));
        var client = plugin.Client(out var channel);
        using var _ = channel;

        await client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)) }).ResponseAsync.DefaultTimeout();
        await plugin.Process.WaitForExitAsync().DefaultTimeout();

        Assert.AreEqual(0, plugin.Process.ExitCode, plugin.Stderr);
        var written = File.ReadAllText(stopFile);
        StringAssert.StartsWith(written, "cancelled after ");
        var milliseconds = int.Parse(written.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsTrue(milliseconds is >= 1300 and < 10_000, $"cancelled at the grace's end (1500 ms after the drain began): {written}");
    }

    private static string Settings(params (string Key, string Value)[] settings) =>
        JsonSerializer.Serialize(settings.ToDictionary(s => s.Key, s => s.Value));
}
