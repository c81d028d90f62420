using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>The published <c>supervisor</c> executable, driven over its real gRPC listeners and with real signals.</summary>
[TestClass]
public sealed class SupervisorHostTests
{
    [TestMethod]
    public async Task An_event_sent_through_the_events_API_comes_back()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("2.0.0", instances: 2) }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);

        var reply = await events.DispatchAsync(Dispatch("echo", "customer.created", "hello")).ResponseAsync.DefaultTimeout();

        Assert.AreEqual("hello", reply.Payload.ToStringUtf8());
        Assert.AreEqual("2.0.0", reply.PluginVersion);
        Assert.AreEqual("2.0.0", reply.Attributes["echo-version"]);
    }

    [TestMethod]
    public async Task Failures_reach_the_caller_as_the_SPECs_status_codes_with_a_reason()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);

        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("nope", "x", "")).ResponseAsync);
        var noName = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("chaos", "", "")).ResponseAsync);
        var threw = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("chaos", "throw", "")).ResponseAsync);
        var stopwatch = Stopwatch.StartNew();
        var hung = await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(Dispatch("chaos", "hang", ""), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        var hungAfter = stopwatch.Elapsed;

        Assert.AreEqual(StatusCode.NotFound, unknown.StatusCode);
        StringAssert.Contains(unknown.Status.Detail, "no plugin named 'nope'");
        Assert.AreEqual(StatusCode.InvalidArgument, noName.StatusCode);
        Assert.AreEqual(StatusCode.Unknown, threw.StatusCode);
        StringAssert.Contains(threw.Status.Detail, "System.InvalidOperationException: chaos: thrown on request");
        Assert.AreEqual(StatusCode.DeadlineExceeded, hung.StatusCode);
        Assert.IsLessThan(TimeSpan.FromMilliseconds(1000), hungAfter);
    }

    [TestMethod]
    public async Task The_admin_socket_is_private_to_the_supervisors_user()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);

        var mode = File.GetUnixFileMode(dir.File("admin.sock"));

        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [TestMethod]
    [DataRow("http://127.0.0.1:0")]
    [DataRow("unix")]
    public async Task With_a_token_configured_admin_calls_without_it_are_refused_on_any_transport(string listen)
    {
        using var dir = new TempDirectory();
        var json = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["Admin"] = new JsonObject
        {
            ["Listen"] = listen == "unix" ? "unix://" + dir.File("admin.sock") : listen,
            ["Token"] = "s3cret",
        };
        await using var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(dir, json));

        foreach (var token in new[] { null, "wrong" })
        {
            using var channel = SupervisorChannel.Create(supervisor.AdminAddress, token);
            var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => new AdminService.AdminServiceClient(channel).ListPluginsAsync(new ListPluginsRequest()).ResponseAsync);
            Assert.AreEqual(StatusCode.Unauthenticated, refused.StatusCode, $"token {token ?? "(none)"}");
        }

        using var authorized = SupervisorChannel.Create(supervisor.AdminAddress, "s3cret");
        var list = await new AdminService.AdminServiceClient(authorized).ListPluginsAsync(new ListPluginsRequest()).ResponseAsync.DefaultTimeout();
        Assert.AreEqual("echo", list.Plugins.Single().Name);
    }

    [TestMethod]
    public async Task KillInstance_through_the_admin_API_leaves_a_new_process_serving()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var adminChannel = supervisor.AdminChannel();
        using var eventsChannel = SupervisorChannel.Create(supervisor.EventsAddress);
        var admin = new AdminService.AdminServiceClient(adminChannel);
        var before = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" })).Plugin.Instances.Single();

        var killed = await admin.KillInstanceAsync(new KillInstanceRequest { Plugin = "echo" }).ResponseAsync.DefaultTimeout();
        await Wait.UntilAsync(() => !Posix.IsAlive(before.Pid), "the killed process to be gone");
        await Wait.UntilAsync(
            async () => (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" })).Plugin.Instances.Any(i => i.State == InstanceState.Ready && i.Pid != before.Pid),
            "a replacement to be ready");
        var reply = await new EventService.EventServiceClient(eventsChannel).DispatchAsync(Dispatch("echo", "x", "after")).ResponseAsync.DefaultTimeout();
        var unknownInstance = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.KillInstanceAsync(new KillInstanceRequest { Plugin = "echo", InstanceId = "echo-nope" }).ResponseAsync);

        CollectionAssert.AreEqual(new[] { before.Id }, killed.KilledInstanceIds.ToArray());
        Assert.AreEqual("after", reply.Payload.ToStringUtf8());
        Assert.AreNotEqual(before.Id, reply.InstanceId);
        Assert.AreEqual(StatusCode.NotFound, unknownInstance.StatusCode);
        await supervisor.WaitForLineAsync(l => l.Contains($"instance={before.Id}", StringComparison.Ordinal) && l.Contains("Killed (reason: admin)", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task An_invalid_configuration_stops_the_supervisor_with_exit_code_2_naming_the_key_and_file()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("3.0.0") }));
        await using var supervisor = SupervisorProcess.Launch(config, new Dictionary<string, string> { ["Supervisor__Plugins__echo__Instances"] = "0" });

        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(supervisor.Output, $"{config}: Supervisor:Plugins:echo:Version");
        StringAssert.Contains(supervisor.Output, "environment variable Supervisor__Plugins__echo__Instances: Supervisor:Plugins:echo:Instances");
    }

    [TestMethod]
    public async Task A_usage_error_exits_2_and_names_what_is_accepted()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = SupervisorProcess.Launch(config, "xml", environment: null, launcher: []);

        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual(2, exitCode, "2 is a usage or configuration error; 1 would claim a failed start");
        StringAssert.Contains(supervisor.Output, "Argument 'xml' not recognized");
        StringAssert.Contains(supervisor.Output, "'json'");
        StringAssert.Contains(supervisor.Output, "see: supervisor run --help");
    }

    [TestMethod]
    public async Task An_events_address_in_use_fails_the_start_with_exit_code_1_before_any_plugin_starts()
    {
        using var dir = new TempDirectory();
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        var json = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["Events"] = new JsonObject { ["Listen"] = $"http://127.0.0.1:{port}" };
        await using var supervisor = SupervisorProcess.Launch(SupervisorConfig.Write(dir, json));

        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual(1, exitCode, supervisor.Output);
        StringAssert.Contains(supervisor.Output, $"Could not listen: Failed to bind to address http://127.0.0.1:{port}: address already in use");
        Assert.DoesNotContain("Started plugin process", supervisor.Output);
    }

    [TestMethod]
    public async Task SIGTERM_refuses_new_events_drains_and_exits_0_with_no_plugin_process_left()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 2), ["chaos"] = SupervisorConfig.Plugin("1.0.0") }));
        var supervisor = await SupervisorProcess.StartAsync(config);
        await using var _ = supervisor;
        var pids = supervisor.PluginPids();
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);
        // Longer than System.CommandLine's 2 s termination timeout, which once cut the drain short with exit code 143.
        var inFlight = events.DispatchAsync(Dispatch("chaos", "sleep", "3000")).ResponseAsync;
        await Wait.UntilAsync(async () => (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "chaos" })).Plugin.Instances.Single().InFlight == 1, "the sleep call to be in flight");

        supervisor.Signal(Posix.SigTerm);
        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var finished = await inFlight.DefaultTimeout();

        Assert.AreEqual(0, exitCode, supervisor.Output);
        Assert.AreEqual("slept 3000 ms", finished.Payload.ToStringUtf8(), "the in-flight call finishes during the drain");
        Assert.HasCount(3, pids);
        foreach (var pid in pids)
        {
            Assert.IsFalse(Posix.IsAlive(pid), $"plugin process {pid} outlived the supervisor");
        }
    }

    [TestMethod]
    public async Task After_SIGKILL_of_the_supervisor_no_plugin_is_running_2_seconds_later()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 2), ["chaos"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        var pids = supervisor.PluginPids();

        supervisor.Signal(Posix.SigKill);
        await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.HasCount(3, pids);
        await Wait.UntilAsync(() => pids.All(pid => !Posix.IsAlive(pid)), "every plugin to exit after its supervisor died", TimeSpan.FromSeconds(2));
    }

    [TestMethod]
    public async Task A_plugins_stderr_becomes_log_lines_tagged_with_plugin_version_and_instance()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);

        await Assert.ThrowsExactlyAsync<RpcException>(() => new EventService.EventServiceClient(channel).DispatchAsync(Dispatch("chaos", "crash", "")).ResponseAsync);

        var line = await supervisor.WaitForLineAsync(l => l.Contains("chaos: crashing on request", StringComparison.Ordinal));
        StringAssert.Matches(line, new System.Text.RegularExpressions.Regex(@"plugin=chaos version=1\.0\.0 instance=chaos-[0-9a-f]+ pid=\d+ \[stderr\]"));
    }

    private static DispatchRequest Dispatch(string plugin, string eventName, string payload) =>
        new() { Plugin = plugin, Event = TestEvents.Create(eventName, payload) };
}
