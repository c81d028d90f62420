using System.Collections;
using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deployments;

/// <summary><c>AutoRoll</c>: a version folder dropped next to the running one rolls once it is complete, and only then.</summary>
[TestClass]
public sealed class AutoRollTests
{
    [TestMethod]
    public async Task A_half_copied_version_folder_is_not_rolled_and_rolls_under_steady_load_without_a_failed_call_once_complete()
    {
        using var dir = new TempDirectory();
        var root = Root(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", Echo(AutoRollMode.Immediate)));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        var roller = supervisor.AutoRollerOf("echo")!;
        await using var load = SteadyLoad.Start(4, async ct => (await supervisor.DispatchAsync("echo", TestEvents.Create("e", "x"), cancellationToken: ct)).PluginVersion);
        await load.WaitForCallsAsync(100, "on 1.0.0");

        // The binaries first, as a deployment script copies them: no plugin.json yet.
        var folder = Path.Combine(root, "echo", "2.0.0");
        await ScannedAfterAsync(roller, () =>
        {
            Directory.CreateDirectory(folder);
            Repository.CopyPluginBuild("echo", "2.0.0", folder);
        });
        Assert.AreEqual("1.0.0", supervisor.GetPlugin("echo").ActiveVersion, "a folder without plugin.json is not rolled");

        // A plugin.json cut off mid-write.
        var manifest = File.ReadAllText(Path.Combine(Repository.PluginsRoot, "echo", "2.0.0", "plugin.json"));
        await ScannedAfterAsync(roller, () => File.WriteAllText(Path.Combine(folder, "plugin.json"), manifest[..(manifest.Length / 2)]));
        Assert.AreEqual("1.0.0", supervisor.GetPlugin("echo").ActiveVersion, "a truncated plugin.json is not rolled");
        Assert.IsFalse(events.All.Any(e => e.Type is LifecycleEventType.RollStarted or LifecycleEventType.RollAborted), events.Describe());

        // Finished the documented way: plugin.json written beside, then renamed into place.
        File.WriteAllText(Path.Combine(folder, ".plugin.json.tmp"), manifest);
        File.Move(Path.Combine(folder, ".plugin.json.tmp"), Path.Combine(folder, "plugin.json"), overwrite: true);
        var completed = await events.WaitForAsync(e => e.Type == LifecycleEventType.RollCompleted, "the roll to 2.0.0 to complete");
        var countAtCompletion = load.Calls.Count;
        await load.WaitForCallsAsync(countAtCompletion + 100, "on 2.0.0");
        await load.StopAsync();

        Assert.IsEmpty(load.Failures, load.DescribeFailures());
        Assert.AreEqual("2.0.0", completed.Roll.ToVersion);
        Assert.AreEqual("2.0.0", supervisor.GetPlugin("echo").ActiveVersion);
    }

    [TestMethod]
    public async Task A_failed_auto_roll_leaves_the_old_version_serving_says_why_and_is_retried_only_once_the_folder_changes()
    {
        using var dir = new TempDirectory();
        var root = Root(dir);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", Echo(AutoRollMode.Immediate)));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        var roller = supervisor.AutoRollerOf("echo")!;

        var folder = Path.Combine(root, "echo", "2.0.0");
        Directory.CreateDirectory(folder);
        WriteByRename(folder, """{ "command": "/bin/sh", "args": ["-c", "echo 'broken build: missing libfoo.so' >&2; exit 3"] }""");
        var failed = await events.WaitForAsync(e => e.Type == LifecycleEventType.RollAborted && e.Reason == "auto-roll", "the auto-roll to fail");

        StringAssert.Contains(failed.Message, "AutoRoll of 'echo' to 2.0.0 failed");
        StringAssert.Contains(failed.Message, "1.0.0 keeps serving");
        Assert.AreEqual("1.0.0", (await supervisor.DispatchAsync("echo", TestEvents.Create("e", "x")).AsTask().DefaultTimeout()).PluginVersion);

        // Another change in the plugin's folder makes it look again, but the same failed folder is not retried.
        await ScannedAfterAsync(roller, () => File.WriteAllText(Path.Combine(root, "echo", "NOTES.txt"), "unrelated"));
        Assert.AreEqual(1, events.All.Count(e => e.Type == LifecycleEventType.RollStarted), events.Describe());

        // A redeploy of the folder (a new plugin.json) is tried.
        Repository.CopyPluginBuild("echo", "2.0.0", folder);
        WriteByRename(folder, File.ReadAllText(Path.Combine(Repository.PluginsRoot, "echo", "2.0.0", "plugin.json")));
        await events.WaitForAsync(e => e.Type == LifecycleEventType.RollCompleted, "the redeployed 2.0.0 to roll");
        Assert.AreEqual("2.0.0", supervisor.GetPlugin("echo").ActiveVersion);
    }

    [TestMethod]
    public void AutoRoll_loads_from_the_file_and_a_misspelled_mode_names_the_key()
    {
        using var dir = new TempDirectory();
        var good = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        good["Supervisor"]!["Plugins"]!["echo"]!["AutoRoll"] = "canary";
        var bad = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        bad["Supervisor"]!["Plugins"]!["echo"]!["AutoRoll"] = "sometimes";

        var options = SupervisorConfiguration.Load(SupervisorConfig.Write(dir, good, "good.json"), new Hashtable());
        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, bad, "bad.json"), new Hashtable()));

        Assert.AreEqual(AutoRollMode.Canary, options.Plugins["echo"].AutoRoll);
        StringAssert.Contains(error.Message, "Supervisor:Plugins:echo:AutoRoll");
    }

    private static string Root(TempDirectory dir)
    {
        var root = dir.File("plugins");
        Directory.CreateDirectory(Path.Combine(root, "echo"));
        Directory.CreateSymbolicLink(Path.Combine(root, "echo", "1.0.0"), Path.Combine(Repository.PluginsRoot, "echo", "1.0.0"));
        return root;
    }

    private static PluginOptions Echo(AutoRollMode autoRoll) => new()
    {
        Version = "1.0.0",
        Instances = 2,
        AutoRoll = autoRoll,
        Deadline = TimeSpan.FromSeconds(10),
        DrainTimeout = TimeSpan.FromSeconds(10),
    };

    private static void WriteByRename(string folder, string manifest)
    {
        var temporary = Path.Combine(folder, ".plugin.json.tmp");
        File.WriteAllText(temporary, manifest);
        File.Move(temporary, Path.Combine(folder, "plugin.json"), overwrite: true);
    }

    /// <summary>Makes a change in the watched folder and waits until a scan that began after it has completed.</summary>
    private static async Task ScannedAfterAsync(AutoRoller roller, Action change)
    {
        var before = roller.Changes;
        change();
        await Wait.UntilAsync(() => roller.Changes > before, "the watcher to see the change");
        await Wait.UntilAsync(() => roller.ScannedThrough >= roller.Changes, () => $"a scan after the change (changes {roller.Changes}, scanned through {roller.ScannedThrough})");
    }
}
