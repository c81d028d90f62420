using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Cli;

/// <summary>The published <c>supervisorctl</c> against a real supervisor: what the README's operator quick start uses.</summary>
[TestClass]
public sealed class SupervisorctlTests
{
    private static string Supervisorctl => Path.Combine(Repository.Artifacts, "supervisor", "supervisorctl");

    [TestMethod]
    public async Task Dispatch_list_and_kill_work_and_exit_codes_mean_something()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);

        var dispatch = await RunAsync(supervisor, "dispatch", "echo", "customer.created", "--data", "hello", "--events", supervisor.EventsAddress);
        File.WriteAllText(dir.File("payload.json"), """{"id": "c-1", "name": "Ada Lovelace"}""");
        var fromFile = await RunAsync(supervisor, "dispatch", "echo", "customer.created", "--data", "@" + dir.File("payload.json"), "--events", supervisor.EventsAddress);
        var list = await RunAsync(supervisor, "list", "--json");
        var killNoInstance = await RunAsync(supervisor, "kill", "echo");
        var kill = await RunAsync(supervisor, "kill", "echo", "--all");
        var get = await RunAsync(supervisor, "get", "echo");
        var unknown = await RunAsync(supervisor, "get", "nope");
        var unreachable = await RunAsync(supervisor, "list", "--admin", "unix://" + dir.File("nobody.sock"));

        Assert.AreEqual(0, dispatch.ExitCode, dispatch.StandardError);
        Assert.AreEqual("hello", dispatch.StandardOutput);
        Assert.AreEqual(0, fromFile.ExitCode, fromFile.StandardError);
        Assert.AreEqual("""{"id": "c-1", "name": "Ada Lovelace"}""", fromFile.StandardOutput, "the file's text, not parsed as a response file");
        using var json = JsonDocument.Parse(list.StandardOutput);
        Assert.AreEqual("echo", json.RootElement.GetProperty("plugins")[0].GetProperty("name").GetString());
        Assert.AreEqual(2, killNoInstance.ExitCode, "kill without --instance or --all is a usage error, not every instance");
        StringAssert.Contains(killNoInstance.StandardError, "--all");
        Assert.AreEqual(string.Empty, killNoInstance.StandardOutput);
        Assert.AreEqual(0, kill.ExitCode, kill.StandardError);
        StringAssert.StartsWith(kill.StandardOutput, "killed echo-");
        Assert.AreEqual(0, get.ExitCode, get.StandardError);
        StringAssert.Contains(get.StandardOutput, "MEMORY");
        StringAssert.Contains(get.StandardOutput, "sandbox (CPU and memory count every process an instance started):");
        StringAssert.Contains(get.StandardOutput, "rlimits");
        Assert.AreEqual(1, unknown.ExitCode);
        StringAssert.Contains(unknown.StandardError, "NotFound: no plugin named 'nope'");
        Assert.AreEqual(3, unreachable.ExitCode);
        StringAssert.Contains(unreachable.StandardError, "cannot reach the supervisor");
    }

    [TestMethod]
    public async Task Roll_and_rollback_from_the_command_line_and_the_rolled_version_survives_a_restart()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["PluginsRoot"] = VersionedPlugins.CreateRoot(dir);
        var path = SupervisorConfig.Write(dir, config);
        BufferedCommandResult roll, missing, usage, afterRestart, rollback;
        await using (var supervisor = await SupervisorProcess.StartAsync(path))
        {
            roll = await RunAsync(supervisor, "roll", "echo", "2.0.0", "--wait");
            missing = await RunAsync(supervisor, "roll", "echo", "9.9.9");
            usage = await RunAsync(supervisor, "roll", "echo", "2.0.0", "--strategy", "bogus");
            supervisor.Signal(Posix.SigTerm);
            Assert.AreEqual(0, await supervisor.WaitForExitAsync(Wait.Default), supervisor.Output);
        }

        await using (var restarted = await SupervisorProcess.StartAsync(path))
        {
            afterRestart = await RunAsync(restarted, "get", "echo", "--json");
            rollback = await RunAsync(restarted, "rollback", "echo", "--wait", "--json");
        }

        Assert.AreEqual(0, roll.ExitCode, roll.StandardError);
        StringAssert.Contains(roll.StandardOutput, "roll_started");
        StringAssert.Contains(roll.StandardOutput, "roll_completed");
        StringAssert.Contains(roll.StandardOutput, "'echo' is on 2.0.0");
        Assert.AreEqual(1, missing.ExitCode);
        StringAssert.Contains(missing.StandardError, "NotFound: version 9.9.9 of plugin 'echo' is not on disk");
        Assert.AreEqual(2, usage.ExitCode, "a bad option is a usage error");
        StringAssert.Contains(usage.StandardError, "see: supervisorctl roll --help");
        Assert.AreEqual(0, afterRestart.ExitCode, afterRestart.StandardError);
        using var plugin = JsonDocument.Parse(afterRestart.StandardOutput);
        Assert.AreEqual("2.0.0", plugin.RootElement.GetProperty("plugin").GetProperty("activeVersion").GetString());
        Assert.AreEqual(0, rollback.ExitCode, rollback.StandardError);
        using var rolledBack = JsonDocument.Parse(rollback.StandardOutput);
        Assert.AreEqual("1.0.0", rolledBack.RootElement.GetProperty("roll").GetProperty("toVersion").GetString());
        Assert.AreEqual("ROLL_PHASE_COMPLETED", rolledBack.RootElement.GetProperty("roll").GetProperty("phase").GetString());
    }

    [TestMethod]
    public async Task List_available_shows_the_versions_on_disk_in_order_with_the_active_one_and_why_an_incomplete_one_cannot_run()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("2.0.0") });
        var root = VersionedPlugins.CreateRoot(dir);
        config["Supervisor"]!["PluginsRoot"] = root;
        Directory.CreateDirectory(Path.Combine(root, "echo", "10.0.0"));
        var path = SupervisorConfig.Write(dir, config);
        await using var supervisor = await SupervisorProcess.StartAsync(path);

        var table = await RunAsync(supervisor, "list", "--available", "echo");
        var json = await RunAsync(supervisor, "list", "--available", "--json");
        var misuse = await RunAsync(supervisor, "list", "echo");

        Assert.AreEqual(0, table.ExitCode, table.StandardError);
        var lines = table.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        StringAssert.StartsWith(lines[0], "PLUGIN");
        CollectionAssert.AreEqual(new[] { "1.0.0", "2.0.0", "3.0.0", "6.6.6", "10.0.0" }, lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray(), table.StandardOutput);
        StringAssert.Matches(lines[2], new System.Text.RegularExpressions.Regex(@"^echo\s+2\.0\.0\s+\*\s+yes\s+off"));
        StringAssert.Matches(lines[5], new System.Text.RegularExpressions.Regex(@"^echo\s+10\.0\.0\s+no\s+off\s+"));
        StringAssert.Contains(lines[5], $"{Path.Combine(root, "echo", "10.0.0", "plugin.json")} does not exist (yet)");
        Assert.AreEqual(0, json.ExitCode, json.StandardError);
        using var document = JsonDocument.Parse(json.StandardOutput);
        var plugins = document.RootElement.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("plugin").GetString()).ToList();
        CollectionAssert.AreEqual(new[] { "echo", "flaky", "sleepy" }, plugins, "the configured plugin, then the other folders under PluginsRoot");
        Assert.AreEqual(2, misuse.ExitCode, misuse.StandardError);
    }

    private static Task<BufferedCommandResult> RunAsync(SupervisorProcess supervisor, params string[] arguments) =>
        CliWrap.Cli.Wrap(Supervisorctl)
            .WithArguments(arguments)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SUPERVISOR_ADMIN_ADDRESS"] = supervisor.AdminAddress })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync()
            .Task.DefaultTimeout();
}
