using Supervisor.Configuration;
using Supervisor.Sandbox.Cgroups;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>
/// Which CPU scheduling group a plugin runs in: its supervisor's unless it has a CpuLimit. A call that crosses
/// scheduling groups costs several times the context switches of one within a group (docs/performance.md).
/// </summary>
[TestClass]
public sealed class SchedulingGroupTests
{
    [TestMethod]
    public async Task A_plugin_without_a_CpuLimit_shares_its_supervisors_cpu_group_and_one_with_a_CpuLimit_has_its_own()
    {
        var originalGroup = CpuGroupOf(Environment.ProcessId) ?? Inconclusive("this host mounts no cgroup v1 cpu hierarchy (on cgroup v2 the cpu group is not changed)");
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(
            dir,
            ("echo", new PluginOptions { Version = "1.0.0" }),
            ("chaos", new PluginOptions { Version = "1.0.0", CpuLimit = 0.5 }));
        var limited = supervisor.GetPlugin("chaos").Instances.Single();
        SandboxLayers.Require(limited, "cpu");

        var supervisorGroup = CpuGroupOf(Environment.ProcessId);
        var unlimitedGroup = CpuGroupOf(SandboxLayers.PluginProcessOf(supervisor.GetPlugin("echo").Instances.Single().Pid));
        var limitedGroup = CpuGroupOf(SandboxLayers.PluginProcessOf(limited.Pid));

        Assert.AreEqual(supervisorGroup, unlimitedGroup, "the plugin without a CpuLimit is in its supervisor's cpu group");
        Assert.AreNotEqual(supervisorGroup, limitedGroup, "the plugin with a CpuLimit has a cpu group of its own, which carries the limit");
        if (originalGroup == "/" && File.ReadAllText("/proc/sys/kernel/sched_autogroup_enabled").Trim() == "1")
        {
            // In the root group the kernel schedules each session apart, and every plugin has a session of its own.
            Assert.AreNotEqual("/", supervisorGroup, "the supervisor left the root cpu group, where its plugins' sessions would be scheduled apart from it");
        }
    }

    [TestMethod]
    public async Task The_last_supervisor_of_a_process_to_stop_returns_the_process_to_its_cpu_group()
    {
        var originalGroup = CpuGroupOf(Environment.ProcessId) ?? Inconclusive("this host mounts no cgroup v1 cpu hierarchy");
        using var dir = new TempDirectory();
        var first = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));
        using var secondDir = new TempDirectory();
        var second = await EmbeddedSupervisor.StartAsync(secondDir, ("echo", new PluginOptions { Version = "1.0.0" }));
        var shared = CpuGroupOf(Environment.ProcessId);

        await first.DisposeAsync();
        Assert.AreEqual(shared, CpuGroupOf(Environment.ProcessId), "a supervisor still running keeps the process where its plugins are");
        await second.DisposeAsync();

        Assert.AreEqual(originalGroup, CpuGroupOf(Environment.ProcessId));
        if (shared != originalGroup)
        {
            var cpu = CgroupMount.Read().First(m => m.Controllers.Contains("cpu"));
            Assert.IsFalse(Directory.Exists(cpu.OwnGroup(shared!)), $"the shared group {shared} is removed");
        }
    }

    // "/proc/PID/cgroup": "1:cpu:/path" (v1; "cpu,cpuacct" where they are mounted together).
    private static string? CpuGroupOf(int pid) =>
        File.ReadLines($"/proc/{pid}/cgroup")
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length == 3 && parts[1].Split(',').Contains("cpu"))
            .Select(parts => parts[2])
            .FirstOrDefault();

    private static string Inconclusive(string reason)
    {
        Assert.Inconclusive(reason);
        return reason;
    }
}
