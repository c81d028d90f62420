using System.Diagnostics;
using Supervisor.Configuration;
using Supervisor.Sandbox;
using Supervisor.Sandbox.Cgroups;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>
/// <c>plugin-enter</c>, the sandbox's first program (Sandbox/Native/plugin-enter.c), run as a real process: what it
/// sets up before the command's first instruction, and how it says it could not.
/// </summary>
[TestClass]
public sealed class PluginEnterTests
{
    private const uint PluginId = 60_917;

    [TestMethod]
    public void A_sandboxed_instance_enters_its_sandbox_through_plugin_enter_alone()
    {
        var enter = RequireEnter();

        var prefix = InstanceSandbox.EnterArguments(enter, 4096, ["/sys/fs/cgroup/x/cgroup.procs"], new PluginUser(PluginId, PluginId), dropBoundingSet: true);
        var (fileName, arguments) = new InstanceSandbox(prefix, null, null, null, [], false).Command("/usr/bin/env", []);

        Assert.AreEqual(enter, fileName);
        Assert.IsFalse(arguments.Any(a => a is "-c" || a.EndsWith("/setsid", StringComparison.Ordinal) || a.EndsWith("/setpriv", StringComparison.Ordinal)), string.Join(' ', arguments));
    }

    [TestMethod]
    public async Task The_command_runs_in_its_cgroup_under_its_limits_in_a_session_of_its_own_as_its_ids_without_capabilities()
    {
        var enter = RequireEnter();
        RequireRoot();
        using var group = TestCgroup.Create();

        var (exit, stdout, stderr) = await RunAsync(enter, ["--nofile", "1234", "--join", group.Procs, "--uid", $"{PluginId}", "--gid", $"{PluginId}", "--drop-bounding-set", "--",
            "/bin/sh", "-c", "cat /proc/self/status; echo \"files $(ulimit -n) $(ulimit -H -n) core $(ulimit -c)\"; echo \"session $(cut -d' ' -f6 /proc/self/stat) pid $$\"; cat /proc/self/cgroup"]);

        Assert.AreEqual(0, exit, stderr);
        StringAssert.Contains(stdout, $"Uid:\t{PluginId}\t{PluginId}\t{PluginId}\t{PluginId}");
        StringAssert.Contains(stdout, $"Gid:\t{PluginId}\t{PluginId}\t{PluginId}\t{PluginId}");
        Assert.AreEqual(string.Empty, stdout.Split('\n').Single(l => l.StartsWith("Groups:", StringComparison.Ordinal))["Groups:".Length..].Trim(), "no supplementary groups");
        foreach (var set in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            StringAssert.Contains(stdout, $"{set}:\t0000000000000000");
        }

        StringAssert.Contains(stdout, "NoNewPrivs:\t1");
        StringAssert.Contains(stdout, "files 1234 1234 core 0");
        var session = stdout.Split('\n').Single(l => l.StartsWith("session ", StringComparison.Ordinal)).Split(' ');
        Assert.AreEqual(session[3], session[1], "the command leads its own session");
        StringAssert.Contains(stdout, group.Relative);
    }

    [TestMethod]
    public async Task A_cgroup_it_cannot_join_stops_it_with_exit_125_naming_the_file_before_the_command_runs()
    {
        var enter = RequireEnter();
        using var dir = new TempDirectory();
        var missing = dir.File("no-such-group/cgroup.procs");
        var marker = dir.File("ran");

        var (exit, _, stderr) = await RunAsync(enter, ["--nofile", "1024", "--join", missing, "--", "/bin/sh", "-c", $"touch {marker}"]);

        Assert.AreEqual(125, exit);
        StringAssert.Contains(stderr, $"cannot join cgroup {missing}");
        Assert.IsFalse(File.Exists(marker), "the command never ran");
    }

    private static string RequireEnter()
    {
        Assert.IsNotNull(SandboxTools.Enter, $"plugin-enter is built beside the assemblies ({AppContext.BaseDirectory}) where a C compiler is installed");
        return SandboxTools.Enter;
    }

    private static void RequireRoot()
    {
        if (!File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
        {
            Assert.Inconclusive("setting another uid takes root");
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().DefaultTimeout();
        return (process.ExitCode, await stdout.DefaultTimeout(), await stderr.DefaultTimeout());
    }

    // A group of its own under the test process's group, in the v2 hierarchy or else v1 pids.
    private sealed class TestCgroup : IDisposable
    {
        private readonly string _folder;

        private TestCgroup(string folder, string relative)
        {
            _folder = folder;
            Relative = relative;
        }

        public string Procs => Path.Combine(_folder, "cgroup.procs");

        public string Relative { get; }

        public static TestCgroup Create()
        {
            var own = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).ToList();
            var mounts = CgroupMount.Read();
            var name = $"plugin-enter-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
            foreach (var (mount, path) in mounts.Where(m => m.IsV2).Select(m => (m, own.FirstOrDefault(o => o[1].Length == 0)?[2]))
                .Concat(mounts.Where(m => m.Controllers.Contains("pids")).Select(m => (m, own.FirstOrDefault(o => o[1].Split(',').Contains("pids"))?[2]))))
            {
                if (path is not null && mount.OwnGroup(path) is { } parent)
                {
                    try
                    {
                        var folder = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
                        return new TestCgroup(folder, "/" + name);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // Not writable here: the next hierarchy.
                    }
                }
            }

            Assert.Inconclusive("no writable cgroup v2 or v1 pids hierarchy");
            throw new UnreachableException();
        }

        public void Dispose()
        {
            // The command has exited, but the kernel may not have reaped it from the group yet.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                try
                {
                    Directory.Delete(_folder);
                    return;
                }
                catch (IOException)
                {
                    Thread.Sleep(10);
                }
            }
        }
    }
}
