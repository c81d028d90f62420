using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deploy;

/// <summary>deploy/Dockerfile: the image's final stage runs the supervisor as PID 1, with the sandbox's tools.</summary>
[TestClass]
public sealed class DockerfileTests
{
    [TestMethod]
    public void The_entrypoint_is_exec_form_supervisor_run_on_the_mounted_config()
    {
        // Exec form (a JSON array): the supervisor itself is PID 1 and gets SIGTERM; the shell form would put sh there.
        var argv = Dockerfile.Load().FinalExecForm("ENTRYPOINT");

        Assert.AreEqual("supervisor", Path.GetFileName(argv[0]));
        CollectionAssert.AreEqual(new[] { "run", "--config", "/etc/supervisor/supervisor.json" }, argv[1..]);
    }

    [TestMethod]
    public void The_image_carries_the_container_config_where_the_entrypoint_reads_it()
    {
        var copies = Dockerfile.Load().Stages[^1].Where(i => i.Keyword == "COPY").Select(i => i.Arguments);

        CollectionAssert.Contains(copies.ToArray(), $"{Path.GetRelativePath(Repository.Root, ContainerConfig.Path)} /etc/supervisor/supervisor.json");
    }

    [TestMethod]
    public void The_image_runs_as_numeric_root_with_the_sandbox_tools_so_each_plugin_gets_its_own_uid()
    {
        var dockerfile = Dockerfile.Load();
        var runs = string.Join("\n", dockerfile.Stages[^1].Where(i => i.Keyword == "RUN").Select(i => i.Arguments));

        // Numeric: Kubernetes checks runAsUser against it. Root only inside the pod's user namespace (deploy/kubernetes).
        Assert.AreEqual("0", dockerfile.Final("USER"));
        StringAssert.Contains(runs, "bubblewrap");
        StringAssert.Contains(runs, "command -v setsid setpriv bwrap");
    }
}
