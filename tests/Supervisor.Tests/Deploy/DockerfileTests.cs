using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deploy;

/// <summary>deploy/Dockerfile: the image's final stage runs the supervisor as PID 1, as a non-root user.</summary>
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
    public void The_image_runs_as_a_numeric_non_root_user()
    {
        var user = Dockerfile.Load().Final("USER");

        // Numeric, or Kubernetes' runAsNonRoot cannot verify the image's user and refuses to start it.
        Assert.IsTrue(int.TryParse(user.Split(':')[0], out var uid), $"USER {user}");
        Assert.AreNotEqual(0, uid);
    }
}
