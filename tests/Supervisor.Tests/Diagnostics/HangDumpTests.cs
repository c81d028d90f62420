using Supervisor.Configuration;
using Supervisor.HangDumps;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Diagnostics;

/// <summary>A hung instance's threads are captured before it is killed, within HangGrace + 2 s, and the dump is kept.</summary>
[TestClass]
public sealed class HangDumpTests
{
    // Hang detection itself (the status poll at deadline + HangGrace) on a loaded 2-core machine.
    private static readonly TimeSpan DetectionSlack = TimeSpan.FromSeconds(1);

    [TestMethod]
    public async Task A_hung_dotnet_plugin_is_killed_within_HangGrace_plus_two_seconds_with_managed_stacks_that_show_its_handler()
    {
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = "1.0.0", HangGrace = TimeSpan.FromMilliseconds(500) };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("chaos"));
        var hung = supervisor.GetPlugin("chaos").Instances.Single();
        var deadline = DateTime.UtcNow.AddMilliseconds(300);

        await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("chaos", TestEvents.Create("hang", ""), deadline).AsTask()).DefaultTimeout();
        var killed = await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == hung.Id, "the hung instance to be killed");
        await Wait.UntilAsync(() => !Posix.IsAlive(hung.Pid), "the hung process to be gone");

        var dump = killed.HangDump;
        Assert.IsNotNull(dump, "the killed event carries no hang dump");
        Assert.AreEqual("eventpipe", dump.Method);
        Assert.AreEqual(string.Empty, dump.Error);
        StringAssert.Contains(dump.Text, "Chaos.HandleEvent", $"the handler's frame is not in the stacks:\n{dump.Text}");
        var firstThread = dump.Text.Split("\n\n")[0];
        StringAssert.Contains(firstThread, "Chaos.HandleEvent", $"the handler's thread is not the first shown:\n{dump.Text}");
        var killedAfterDeadline = killed.Time.ToDateTime() - deadline;
        Assert.IsTrue(killedAfterDeadline < options.HangGrace + HangDiagnostics.Budget + DetectionSlack, $"killed {killedAfterDeadline.TotalMilliseconds:0} ms after the deadline (capture took {dump.Took.ToTimeSpan().TotalMilliseconds:0} ms)");
        Assert.IsTrue(File.Exists(dump.Path), $"no dump kept at '{dump.Path}'");
        StringAssert.StartsWith(dump.Path, dir.File("state/diagnostics"));
        var latest = supervisor.GetHangDump("chaos");
        Assert.IsNotNull(latest);
        Assert.AreEqual(hung.Id, latest.InstanceId);
        StringAssert.Contains(latest.Text, "Chaos.HandleEvent");
    }

    [TestMethod]
    public async Task A_plugin_without_a_diagnostics_socket_that_names_a_hangDumpSignal_has_its_stderr_dump_kept()
    {
        using var dir = new TempDirectory();
        var root = dir.File("plugins");
        var folder = Path.Combine(root, "traced", "1.0.0");
        Directory.CreateDirectory(folder);
        Repository.CopyPluginBuild("chaos", "1.0.0", folder);

        // Another runtime's shape: the process the supervisor started writes its threads on SIGQUIT (bash's trap here);
        // chaos, with the .NET diagnostics socket turned off, serves the calls and hangs.
        var script = $$"""
            trap 'echo "dump of $$: thread main in handler_that_hangs" >&2; echo "  at loop (script:1)" >&2' QUIT
            ./chaos <&0 &
            child=$!
            while kill -0 $child 2>/dev/null; do wait $child; done
            """;
        var manifest = new System.Text.Json.Nodes.JsonObject
        {
            ["command"] = "/bin/bash",
            ["args"] = new System.Text.Json.Nodes.JsonArray("-c", script),
            ["env"] = new System.Text.Json.Nodes.JsonObject { ["DOTNET_EnableDiagnostics"] = "0" },
            ["hangDumpSignal"] = "SIGQUIT",
        };
        File.WriteAllText(Path.Combine(folder, "plugin.json"), manifest.ToJsonString());
        var options = new PluginOptions { Version = "1.0.0", HangGrace = TimeSpan.FromMilliseconds(500) };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("traced", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("traced"));
        var hung = supervisor.GetPlugin("traced").Instances.Single();

        await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("traced", TestEvents.Create("hang", ""), DateTime.UtcNow.AddMilliseconds(300)).AsTask()).DefaultTimeout();
        var killed = await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == hung.Id, "the hung instance to be killed");

        var dump = killed.HangDump;
        Assert.IsNotNull(dump, "the killed event carries no hang dump");
        Assert.AreEqual("signal", dump.Method);
        Assert.AreEqual(string.Empty, dump.Error);
        StringAssert.Contains(dump.Text, "thread main in handler_that_hangs");
        StringAssert.Contains(dump.Text, "at loop (script:1)");
        Assert.IsTrue(dump.Took.ToTimeSpan() <= HangDiagnostics.Budget, $"the capture took {dump.Took.ToTimeSpan().TotalMilliseconds:0} ms");
    }

    [TestMethod]
    public void The_dump_folder_keeps_the_newest_dumps_within_its_count_bound_and_finds_the_latest_by_plugin_and_instance()
    {
        using var dir = new TempDirectory();
        var store = new HangDumpStore(dir.File("diagnostics"));
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < HangDumpStore.MaxFiles + 5; i++)
        {
            store.Save(new HangDump
            {
                Plugin = i % 2 == 0 ? "even" : "odd",
                Version = "1.0.0",
                InstanceId = $"inst-{i}",
                Pid = 100 + i,
                Method = "eventpipe",
                Text = $"Thread 0x1:\n  frame {i}\n",
                CapturedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(start.AddSeconds(i)),
                Took = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(12)),
            });
        }

        Assert.AreEqual(HangDumpStore.MaxFiles, Directory.GetFiles(dir.File("diagnostics")).Length);
        var latestOdd = store.Latest("ODD", string.Empty);
        Assert.IsNotNull(latestOdd);
        Assert.AreEqual($"inst-{HangDumpStore.MaxFiles + 3}", latestOdd.InstanceId);
        Assert.AreEqual($"Thread 0x1:\n  frame {HangDumpStore.MaxFiles + 3}\n", latestOdd.Text);
        Assert.AreEqual(12, latestOdd.Took.ToTimeSpan().TotalMilliseconds);
        Assert.AreEqual("inst-10", store.Latest("even", "inst-10")?.InstanceId);
        Assert.IsNull(store.Latest("even", "inst-0"), "the oldest dumps were to be removed");
        Assert.IsNull(store.Latest("other", string.Empty));
    }
}
