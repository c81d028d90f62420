using Supervisor.Configuration;
using Supervisor.Sandbox;
using Supervisor.Sandbox.Cgroups;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>The sandbox's pure parts: its options, uid assignment and cgroup discovery.</summary>
[TestClass]
public sealed class SandboxConfigurationTests
{
    [TestMethod]
    [DataRow("61000-61999", true)]
    [DataRow("1000-1000", true)]
    [DataRow("0-999", false)]
    [DataRow("61999-61000", false)]
    [DataRow("61000", false)]
    [DataRow("a-b", false)]
    public void A_uid_range_must_run_upwards_above_the_system_accounts(string text, bool valid)
    {
        Assert.AreEqual(valid, UidRange.TryParse(text, out _, out var error), error);
        if (!valid)
        {
            StringAssert.Contains(error, text);
        }
    }

    [TestMethod]
    public void A_plugin_user_is_a_uid_a_pair_or_a_name_and_never_root()
    {
        Assert.IsTrue(PluginUser.TryResolve("61500", out var single, out _));
        Assert.AreEqual(new PluginUser(61500, 61500), single);
        Assert.IsTrue(PluginUser.TryResolve("61500:62000", out var pair, out _));
        Assert.AreEqual(new PluginUser(61500, 62000), pair);
        Assert.IsTrue(PluginUser.TryResolve("nobody", out var nobody, out _));
        Assert.AreEqual(65534u, nobody.Uid);
        Assert.IsFalse(PluginUser.TryResolve("root", out _, out var rootError));
        StringAssert.Contains(rootError, "root");
        Assert.IsFalse(PluginUser.TryResolve("no-such-user-here", out _, out var missing));
        StringAssert.Contains(missing, "/etc/passwd");
    }

    [TestMethod]
    public void Sandbox_options_are_validated_naming_the_key()
    {
        using var dir = new TempDirectory();
        var options = EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0", CpuLimit = 0.001, User = "root", MaxProcesses = -1 }));
        options.Sandbox.UidRange = "5-1";

        var errors = SupervisorOptionsValidator.Validate(options).Select(e => e.Key).ToList();

        CollectionAssert.IsSubsetOf(
            new[] { "Supervisor:Sandbox:UidRange", "Supervisor:Plugins:echo:CpuLimit", "Supervisor:Plugins:echo:User", "Supervisor:Plugins:echo:MaxProcesses" },
            errors,
            string.Join(", ", errors));
    }

    [TestMethod]
    public void Each_plugin_keeps_its_own_uid_across_restarts_and_new_plugins_take_new_ones()
    {
        using var dir = new TempDirectory();
        UidRange.TryParse("61000-61002", out var range, out _);

        var first = PluginIdentities.Open(dir.Path, range);
        var echo = first.For("echo", null);
        var chaos = first.For("chaos", null);
        var again = PluginIdentities.Open(dir.Path, range);

        Assert.AreNotEqual(echo.Uid, chaos.Uid);
        Assert.AreEqual(echo, again.For("echo", null));
        Assert.AreEqual(chaos, again.For("chaos", null));
        Assert.AreEqual(new PluginUser(62000, 62000), again.For("named", "62000"));
        again.For("third", null);
        var full = Assert.ThrowsExactly<InvalidOperationException>(() => again.For("fourth", null));
        StringAssert.Contains(full.Message, "61000-61002");
    }

    [TestMethod]
    public void Cgroup_mounts_are_read_from_mountinfo_with_v1_controllers_and_the_v2_hierarchy()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("mountinfo"),
        [
            "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
        ]);

        var mounts = CgroupMount.Read(dir.File("mountinfo"));

        Assert.HasCount(3, mounts);
        CollectionAssert.AreEqual(new[] { "cpu", "cpuacct" }, mounts[0].Controllers.ToArray());
        Assert.AreEqual("/sys/fs/cgroup/memory/x", mounts[1].OwnGroup("/docker/abc/x"), "a container's mount shows its own cgroup as the top");
        Assert.IsNull(mounts[1].OwnGroup("/elsewhere"));
        Assert.IsTrue(mounts[2].IsV2);
        Assert.AreEqual("/sys/fs/cgroup/unified/a/b", mounts[2].OwnGroup("/a/b"));
    }
}
