using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Processes;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>
/// Plugins whose output is hostile, behind the published supervisor: after the noise the plugin still serves (it
/// was not killed by EPIPE), its log lines still reach the supervisor's log, a crash is still seen and restarted,
/// and the supervisor's memory stays where it was.
/// </summary>
[TestClass]
public sealed class NoisyPluginTests
{
    private const double AllowedGrowthMb = 50;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_plugin_writing_200_MiB_without_a_newline_is_cut_to_one_line_and_never_hurts_the_supervisor()
    {
        var output = await AfterTheNoiseThePluginServesLogsCrashesAndRestartsAsync("bigline");

        StringAssert.Contains(output, $"[stdout] {new string('x', 100)}");
        StringAssert.Contains(output, $"… [line truncated: {HostilePlugins.BigLineBytes - OutputLimits.MaxLineBytes} more bytes dropped]");
    }

    [TestMethod]
    public async Task A_plugin_flooding_millions_of_lines_is_rate_limited_with_the_drops_counted_and_never_hurts_the_supervisor()
    {
        var output = await AfterTheNoiseThePluginServesLogsCrashesAndRestartsAsync(
            "flood",
            dir => Wait.UntilAsync(() => File.Exists(HostilePlugins.FloodDone(dir)), "the stderr flood to end", TimeSpan.FromSeconds(120)));

        var logged = output.Split('\n').Count(l => l.Contains("stdout flood", StringComparison.Ordinal) || l.Contains("stderr flood", StringComparison.Ordinal));
        Assert.IsLessThan(HostilePlugins.FloodLines / 10, logged, "the flood is rate limited");
        StringAssert.Contains(output, $"output lines over the rate limit ({OutputLimits.LinesPerSecond} lines/s, burst {OutputLimits.LineBurst})");
    }

    [TestMethod]
    public async Task A_plugin_writing_every_malformed_log_shape_has_them_logged_as_text_and_never_hurts_the_supervisor()
    {
        var output = await AfterTheNoiseThePluginServesLogsCrashesAndRestartsAsync("malformed");

        foreach (var line in HostilePlugins.MalformedLines)
        {
            StringAssert.Contains(output, $"[stdout] {line}");
            StringAssert.Contains(output, $"[stderr] {line}");
        }

        StringAssert.Contains(output, "[stdout] {\"LogLevel\":\"Warning\",\"Message\":\"invalid UTF-8 \uFFFD\uFFFD\"}");
        StringAssert.Contains(output, $"[] {HostilePlugins.NumericLevelMessage}");
    }

    private static async Task<string> CallAsync(EventService.EventServiceClient events, string plugin, string name, string payload)
    {
        var reply = await events.DispatchAsync(new DispatchRequest { Plugin = plugin, Event = new Event { Name = name, Payload = ByteString.CopyFromUtf8(payload) } }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync.DefaultTimeout();
        return reply.Payload.ToStringUtf8();
    }

    /// <returns>The supervisor's log.</returns>
    private async Task<string> AfterTheNoiseThePluginServesLogsCrashesAndRestartsAsync(string plugin, Func<TempDirectory, Task>? noiseOver = null)
    {
        using var dir = new TempDirectory();
        var json = SupervisorConfig.Create(dir, new JsonObject { [plugin] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["PluginsRoot"] = HostilePlugins.CreateRoot(dir);

        // Output handling, not the sandbox: the noise's trigger files are in this test's folder, which a sandboxed
        // plugin's private /tmp hides.
        json["Supervisor"]!["Sandbox"] = new JsonObject { ["Mode"] = "off" };

        // The noise comes before the ready line: on a loaded machine 200 MiB through a pipe can take a while.
        json["Supervisor"]!["Plugins"]![plugin]!["StartupTimeout"] = "00:01:30";
        await using var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(dir, json));
        using var adminChannel = supervisor.AdminChannel();
        using var eventsChannel = SupervisorChannel.Create(supervisor.EventsAddress);
        var admin = new AdminService.AdminServiceClient(adminChannel);
        var events = new EventService.EventServiceClient(eventsChannel);
        using var watch = admin.WatchEvents(new WatchEventsRequest { Plugin = plugin });
        await watch.ResponseHeadersAsync.DefaultTimeout();
        await using var lifecycle = new LifecycleLog(watch.ResponseStream.ReadAllAsync());

        // Idle: started, quiet, and every path the test takes afterwards run once.
        Assert.AreEqual("warm", await CallAsync(events, plugin, "echo", "warm"));
        await CallAsync(events, plugin, "log", "warm");
        await supervisor.WaitForLineAsync(l => l.Contains("chaos: warm", StringComparison.Ordinal));
        var idle = ResidentMemory.MegabytesOf(supervisor.Pid);

        File.WriteAllText(HostilePlugins.Trigger(dir, plugin), string.Empty);
        var quiet = (await admin.KillInstanceAsync(new KillInstanceRequest { Plugin = plugin }).ResponseAsync.DefaultTimeout()).KilledInstanceIds.Single();
        var noisy = await lifecycle.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != quiet, "the noisy instance to be ready", TimeSpan.FromSeconds(120));
        if (noiseOver is not null)
        {
            await noiseOver(dir);
        }

        var afterNoise = ResidentMemory.MegabytesOf(supervisor.Pid);
        var echoed = await CallAsync(events, plugin, "echo", "still serving");
        var text = $"after the noise {Guid.NewGuid():N}";
        await CallAsync(events, plugin, "log", text);
        await supervisor.WaitForLineAsync(l => l.Contains($"chaos: {text}", StringComparison.Ordinal));
        var crash = await Assert.ThrowsExactlyAsync<RpcException>(() => CallAsync(events, plugin, "crash", string.Empty));
        var exited = await lifecycle.WaitForAsync(e => e.Type == LifecycleEventType.Exited && e.InstanceId == noisy.InstanceId, "the crashed instance's exit");
        await lifecycle.WaitForAsync(e => e.Type == LifecycleEventType.RestartScheduled && e.Time.ToDateTime() >= exited.Time.ToDateTime(), "the restart after the crash");
        await lifecycle.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != quiet && e.InstanceId != noisy.InstanceId, "the restarted instance to be ready", TimeSpan.FromSeconds(60));
        var after = ResidentMemory.MegabytesOf(supervisor.Pid);
        var peak = ResidentMemory.PeakMegabytesOf(supervisor.Pid);

        TestContext.WriteLine($"{plugin}: supervisor VmRSS idle {idle:0.0} MiB, after the noise {afterNoise:0.0} MiB, after the crash and restart {after:0.0} MiB, peak (VmHWM) {peak:0.0} MiB");
        Assert.AreEqual("still serving", echoed);
        Assert.AreEqual(StatusCode.Aborted, crash.StatusCode, crash.Status.Detail);
        Assert.AreEqual(3, exited.ExitCode, exited.Message);
        Assert.IsLessThan(OutputLimits.TailChars + 200, exited.Message.Length, "the exit event's stderr tail is bounded");
        Assert.IsLessThan(idle + AllowedGrowthMb, afterNoise, $"VmRSS idle {idle:0.0} MiB, after the noise {afterNoise:0.0} MiB");
        Assert.IsLessThan(idle + AllowedGrowthMb, after, $"VmRSS idle {idle:0.0} MiB, at the end {after:0.0} MiB");
        Assert.IsLessThan(idle + AllowedGrowthMb, peak, $"VmRSS idle {idle:0.0} MiB, peak {peak:0.0} MiB");
        return supervisor.Output;
    }
}
