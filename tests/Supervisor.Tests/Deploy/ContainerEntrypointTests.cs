using System.Net;
using Supervisor.Tests.TestAssets;
using static Supervisor.Tests.Deploy.KubernetesManifests;

namespace Supervisor.Tests.Deploy;

/// <summary>The published supervisor run the way the image runs it: its entrypoint, the container config, as PID 1.</summary>
[TestClass]
public sealed class ContainerEntrypointTests
{
    [TestMethod]
    public async Task As_PID_1_on_the_container_config_it_turns_ready_and_on_SIGTERM_stops_every_plugin_and_exits_0_within_the_grace_period()
    {
        using var dir = new TempDirectory();
        var container = ContainerConfig.Load();
        var json = ContainerConfig.RunnableIn(container, dir);
        // Listeners only the test reaches: probes on a loopback port the system picks, events on a socket (the validator
        // refuses two listeners on the same host and port, port 0 included).
        json["Supervisor"]!["Events"]!["Listen"] = "unix://" + dir.File("events.sock");
        json["Supervisor"]!["Monitoring"]!["Listen"] = "http://127.0.0.1:0";
        var config = SupervisorConfig.Write(dir, json);
        // Where this machine allows it, PID 1 of its own PID namespace as in a container; elsewhere a plain child process,
        // which still shows the shutdown.
        string[] launcher = PidNamespace.IsAvailable ? PidNamespace.Launcher : [];
        await using var supervisor = await SupervisorProcess.StartAsync(config, null, launcher);
        var pid = PidNamespace.IsAvailable ? ProcTable.ChildrenOf(supervisor.Pid).Single().Pid : supervisor.Pid;
        using var http = new HttpClient { BaseAddress = new Uri(supervisor.MonitoringAddress), Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () => await StatusOf(http, "/readyz") == HttpStatusCode.OK, "/readyz to answer 200 OK");
        var healthz = await StatusOf(http, "/healthz");
        var plugins = ProcTable.ChildrenOf(pid);
        var namespacePid = PidNamespace.IsAvailable ? NamespacePid(pid) : null;

        // The kubelet sends SIGTERM once preStop is over, and SIGKILL when the grace period ends.
        Posix.Signal(pid, Posix.SigTerm);
        var exitCode = await supervisor.WaitForExitAsync(TerminationGracePeriod - PreStop(Container("supervisor")));

        if (namespacePid is not null)
        {
            Assert.AreEqual("1", namespacePid, "the supervisor is PID 1 in its namespace");
        }

        Assert.AreEqual(HttpStatusCode.OK, healthz);
        Assert.HasCount(ContainerConfig.Instances(container), plugins, "the plugin processes are the supervisor's children");
        Assert.AreEqual(0, exitCode, supervisor.Output);
        // Stopped by the supervisor before it exited, not by the kernel tearing the namespace down after it.
        Assert.IsTrue(supervisor.PluginPids().All(p => supervisor.Output.Contains($"pid={p} Exited", StringComparison.Ordinal)), supervisor.Output);
        Assert.IsFalse(plugins.Any(p => Posix.IsAlive(p.Pid)), "a plugin process outlived the supervisor");
    }

    private static async Task<HttpStatusCode?> StatusOf(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    // /proc/PID/status "NSpid:" lists the pid in each namespace, outermost first.
    private static string NamespacePid(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal)).Split('\t', ' ')[^1];
}
