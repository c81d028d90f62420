using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sandbox;

/// <summary>
/// A hostile plugin (tests/TestPlugins/HostilePlugin) tries every escape a plugin had before the sandbox, against a
/// real supervisor that keeps its admin token in its configuration file and in its own environment.
/// </summary>
[TestClass]
public sealed class SandboxEscapeTests
{
    [TestMethod]
    public async Task A_hostile_plugin_reaches_neither_the_admin_API_nor_a_sibling_nor_the_supervisors_files()
    {
        using var dir = new TempDirectory();
        var json = SupervisorConfig.Create(dir, new JsonObject
        {
            ["hostile"] = SupervisorConfig.Plugin("1.0.0"),
            ["echo"] = SupervisorConfig.Plugin("1.0.0"),
        });
        json["Supervisor"]!["Admin"]!["Token"] = "admin-secret-in-the-config-file";
        json["Supervisor"]!["RuntimeDirectory"] = dir.File("run");
        var config = SupervisorConfig.Write(dir, json);

        // As deploy/Dockerfile does: the supervisor's own environment names the admin API for supervisorctl.
        await using var supervisor = await SupervisorProcess.StartAsync(config, new Dictionary<string, string>
        {
            ["SUPERVISOR_ADMIN_ADDRESS"] = "unix://" + dir.File("admin.sock"),
            ["SUPERVISOR_ADMIN_TOKEN"] = "admin-secret-in-the-environment",
            ["Supervisor__Admin__Token"] = "admin-secret-in-the-config-file",
        });
        using var admin = SupervisorChannel.Create(supervisor.AdminAddress, "admin-secret-in-the-config-file");
        var adminClient = new AdminService.AdminServiceClient(admin);
        var hostile = (await adminClient.GetPluginAsync(new GetPluginRequest { Plugin = "hostile" })).Plugin.Instances.Single();
        SandboxLayers.Require(hostile, "identity", "namespaces", "no_new_privs");
        var sibling = (await adminClient.GetPluginAsync(new GetPluginRequest { Plugin = "echo" })).Plugin.Instances.Single();
        var targets = new JsonObject
        {
            ["AdminSocket"] = dir.File("admin.sock"),
            ["AdminTokenFile"] = null,
            ["ConfigFile"] = config,
            ["StateDirectory"] = dir.File("state"),
            ["SiblingPid"] = sibling.Pid,
            ["SiblingSocket"] = Path.Combine(dir.File("run"), "echo", sibling.Id["echo-".Length..] + ".sock"),
            ["SupervisorPid"] = supervisor.Pid,
        };

        using var events = SupervisorChannel.Create(supervisor.EventsAddress);
        var reply = await new EventService.EventServiceClient(events).DispatchAsync(new DispatchRequest { Plugin = "hostile", Event = TestEvents.Create("probe", targets.ToJsonString()) }).ResponseAsync.DefaultTimeout();
        var attempts = JsonSerializer.Deserialize<List<JsonObject>>(reply.Payload.ToStringUtf8())!;

        var escaped = attempts.Where(a => (bool)a["Escaped"]!).Select(a => $"{a["What"]}: {a["Detail"]}").ToList();
        Assert.IsEmpty(escaped, "escapes that got through:\n" + string.Join("\n", escaped) + "\nall attempts:\n" + string.Join("\n", attempts.Select(a => a.ToJsonString())));
        Assert.IsTrue(attempts.Count(a => a["What"]!.ToString().StartsWith("call the admin API", StringComparison.Ordinal)) >= 1, "the plugin tried the admin API");
        Assert.IsFalse(File.Exists(Path.Combine(dir.File("state"), "hostile-was-here")));
        var echo = await new EventService.EventServiceClient(events).DispatchAsync(new DispatchRequest { Plugin = "echo", Event = TestEvents.Create("echo", "still here") }).ResponseAsync.DefaultTimeout();
        Assert.AreEqual(sibling.Id, echo.InstanceId, "the sibling was not killed or replaced");
        Assert.IsTrue(Posix.IsAlive(supervisor.Pid));
    }

    [TestMethod]
    public async Task Without_a_configured_token_the_admin_socket_takes_only_the_generated_one_which_supervisorctl_finds()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        var tokenFile = AdminTokenFile.PathFor(dir.File("admin.sock"));

        using var anonymous = SupervisorChannel.Create(supervisor.AdminAddress);
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => new AdminService.AdminServiceClient(anonymous).ListPluginsAsync(new ListPluginsRequest()).ResponseAsync);
        using var authorized = supervisor.AdminChannel();
        var list = await new AdminService.AdminServiceClient(authorized).ListPluginsAsync(new ListPluginsRequest()).ResponseAsync.DefaultTimeout();

        Assert.AreEqual(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.AreEqual("echo", list.Plugins.Single().Name);
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        supervisor.Signal(Posix.SigTerm);
        Assert.AreEqual(0, await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsFalse(File.Exists(tokenFile), "the token is removed at a clean shutdown");
    }
}
