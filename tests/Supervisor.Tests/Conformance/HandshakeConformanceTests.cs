using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>Every SDK: the handshake, the refusal by hand, the token on every service, and unknown events.</summary>
[TestClass]
public sealed class HandshakeConformanceTests
{
    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_plugin_prints_the_ready_line_with_the_address_it_serves_and_describes_itself(string sdk)
    {
        // StartByHandshakeAsync asserts the exact ready line: SUPERVISOR_PLUGIN_READY 1 unix:///….
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;

        var description = await client.DescribeAsync(new DescribeRequest()).ResponseAsync.DefaultTimeout();
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();

        Assert.AreEqual(ConformancePlugins.Name(sdk), description.Name);
        Assert.AreEqual(ConformancePlugins.Version, description.Version);
        Assert.AreEqual(sdk, description.Sdk);
        Assert.IsFalse(string.IsNullOrEmpty(description.SdkVersion), "sdk_version");
        CollectionAssert.AreEquivalent(ConformancePlugins.EventNames.ToList(), description.EventNames.ToList());
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_plugin_started_by_hand_says_so_on_stderr_and_exits_2(string sdk)
    {
        var (exitCode, stdout, stderr) = await RunByHandAsync(sdk, new Dictionary<string, string?>());

        Assert.AreEqual(2, exitCode, stderr);
        Assert.AreEqual(string.Empty, stdout, "nothing on stdout: it is the supervisor's ready channel");
        StringAssert.Contains(stderr, "is a Plugin Supervisor plugin");
        StringAssert.Contains(stderr, "not meant to be started by hand");
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task A_plugin_handed_a_protocol_version_it_does_not_speak_names_it_and_exits_2(string sdk)
    {
        var (exitCode, _, stderr) = await RunByHandAsync(sdk, new Dictionary<string, string?>
        {
            ["SUPERVISOR_PROTOCOL_VERSION"] = "99",
            ["SUPERVISOR_PLUGIN_ADDRESS"] = "unix:///tmp/never-bound.sock",
            ["SUPERVISOR_PLUGIN_TOKEN"] = "t",
        });

        Assert.AreEqual(2, exitCode, stderr);
        StringAssert.Contains(stderr, "SUPERVISOR_PROTOCOL_VERSION is '99'");
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task Every_service_refuses_a_call_without_the_token_or_with_a_wrong_one_as_UNAUTHENTICATED(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);

        foreach (var token in new[] { null, "wrong" })
        {
            using var channel = plugin.Channel(token);
            var client = new PluginService.PluginServiceClient(channel);
            var health = new Health.HealthClient(channel);
            var calls = new Dictionary<string, Func<Task>>
            {
                ["HandleEvent"] = () => client.HandleEventAsync(ConformancePlugins.Request("echo", "x")).ResponseAsync,
                ["Describe"] = () => client.DescribeAsync(new DescribeRequest()).ResponseAsync,
                ["GetStatus"] = () => client.GetStatusAsync(new GetStatusRequest()).ResponseAsync,
                ["Shutdown"] = () => client.ShutdownAsync(new ShutdownRequest { Grace = Duration.FromTimeSpan(TimeSpan.Zero) }).ResponseAsync,
                ["Health.Check"] = () => health.CheckAsync(new HealthCheckRequest()).ResponseAsync,
                ["Health.Watch"] = async () =>
                {
                    using var watch = health.Watch(new HealthCheckRequest());
                    await watch.ResponseStream.MoveNext(CancellationToken.None);
                },
            };
            foreach (var (method, call) in calls)
            {
                var error = await Assert.ThrowsExactlyAsync<RpcException>(() => call().DefaultTimeout(), $"{method} with token {token ?? "(none)"}");
                Assert.AreEqual(StatusCode.Unauthenticated, error.StatusCode, $"{method} with token {token ?? "(none)"}: {error.Status.Detail}");
            }
        }

        // The refused Shutdown changed nothing: the plugin still serves its supervisor.
        var authorized = plugin.Client(out var authorizedChannel);
        using (authorizedChannel)
        {
            var reply = await authorized.HandleEventAsync(ConformancePlugins.Request("echo", "still serving")).ResponseAsync.DefaultTimeout();
            Assert.AreEqual("still serving", reply.Payload.ToStringUtf8());
        }
    }

    [TestMethod]
    [DataRow("dotnet")]
    [DataRow("node")]
    [DataRow("python")]
    public async Task An_event_name_the_plugin_does_not_list_is_refused_UNIMPLEMENTED_before_any_handler_runs(string sdk)
    {
        await using var plugin = await ConformancePlugins.StartByHandshakeAsync(sdk);
        var client = plugin.Client(out var channel);
        using var _ = channel;

        var error = await Assert.ThrowsExactlyAsync<RpcException>(() => client.HandleEventAsync(ConformancePlugins.Request("no.such.event", "")).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(StatusCode.Unimplemented, error.StatusCode, error.Status.Detail);
        StringAssert.Contains(error.Status.Detail, "'no.such.event'");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunByHandAsync(string sdk, Dictionary<string, string?> environment)
    {
        var name = ConformancePlugins.Require(sdk);
        var start = new ProcessStartInfo(Repository.PluginExecutable(name, ConformancePlugins.Version))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("SUPERVISOR_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().DefaultTimeout();
        return (process.ExitCode, await stdout.DefaultTimeout(), await stderr.DefaultTimeout());
    }
}
