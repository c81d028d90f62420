using System.Net.Sockets;
using System.Text.Json.Nodes;
using Supervisor.Tests.Configuration;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>What the supervisor does with what it finds on disk at start: listen paths and plugin manifests.</summary>
[TestClass]
public sealed class ListenPathTests
{
    [TestMethod]
    [DataRow("Events", "events.sock")]
    [DataRow("Admin", "admin.sock")]
    public async Task A_listen_path_that_names_a_regular_file_fails_the_start_with_exit_1_and_leaves_the_file(string api, string file)
    {
        using var dir = new TempDirectory();
        var path = dir.File(file);
        await File.WriteAllTextAsync(path, "an operator's file");
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = SupervisorProcess.Launch(config);

        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual(1, exitCode, supervisor.Output);
        StringAssert.Contains(supervisor.Output, $"Supervisor:{api}:Listen: '{path}' is a regular file, not a socket");
        Assert.AreEqual("an operator's file", await File.ReadAllTextAsync(path));
        Assert.DoesNotContain("Started plugin process", supervisor.Output);
    }

    [TestMethod]
    public async Task A_stale_socket_left_at_the_listen_path_is_replaced()
    {
        using var dir = new TempDirectory();
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound and closed without unlinking: what a SIGKILLed supervisor leaves behind.
            stale.Bind(new UnixDomainSocketEndPoint(dir.File("events.sock")));
        }

        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);

        Assert.AreEqual("unix://" + dir.File("events.sock"), supervisor.EventsAddress);
    }

    [TestMethod]
    public async Task An_unreadable_plugin_json_stops_the_start_with_exit_2_naming_the_file()
    {
        using var dir = new TempDirectory();
        var manifest = ValidationBoundsTests.UnreadableManifest(dir, "loop");
        var json = SupervisorConfig.Create(dir, new JsonObject { ["odd"] = SupervisorConfig.Plugin("1.0.0") });
        json["Supervisor"]!["PluginsRoot"] = dir.File("plugins");
        await using var supervisor = SupervisorProcess.Launch(SupervisorConfig.Write(dir, json));

        var exitCode = await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual(2, exitCode, supervisor.Output);
        StringAssert.Contains(supervisor.Output, $"Supervisor:Plugins:odd:Version: version '1.0.0' is not usable: {manifest}: cannot be read");
    }
}
