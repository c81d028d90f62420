using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Cli;

/// <summary>The published <c>supervisorctl</c> against a real supervisor: what the README's operator quick start uses.</summary>
[TestClass]
public sealed class SupervisorctlTests
{
    private static string Supervisorctl => Path.Combine(Repository.Artifacts, "supervisor", "supervisorctl");

    [TestMethod]
    public async Task Dispatch_list_and_kill_work_and_exit_codes_mean_something()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);

        var dispatch = await RunAsync(supervisor, "dispatch", "echo", "customer.created", "--data", "hello", "--events", supervisor.EventsAddress);
        var list = await RunAsync(supervisor, "list", "--json");
        var kill = await RunAsync(supervisor, "kill", "echo");
        var unknown = await RunAsync(supervisor, "get", "nope");
        var unreachable = await RunAsync(supervisor, "list", "--admin", "unix://" + dir.File("nobody.sock"));

        Assert.AreEqual(0, dispatch.ExitCode, dispatch.StandardError);
        Assert.AreEqual("hello", dispatch.StandardOutput);
        using var json = JsonDocument.Parse(list.StandardOutput);
        Assert.AreEqual("echo", json.RootElement.GetProperty("plugins")[0].GetProperty("name").GetString());
        Assert.AreEqual(0, kill.ExitCode, kill.StandardError);
        StringAssert.StartsWith(kill.StandardOutput, "killed echo-");
        Assert.AreEqual(1, unknown.ExitCode);
        StringAssert.Contains(unknown.StandardError, "NotFound: no plugin named 'nope'");
        Assert.AreEqual(3, unreachable.ExitCode);
        StringAssert.Contains(unreachable.StandardError, "cannot reach the supervisor");
    }

    private static Task<BufferedCommandResult> RunAsync(SupervisorProcess supervisor, params string[] arguments) =>
        CliWrap.Cli.Wrap(Supervisorctl)
            .WithArguments(arguments)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SUPERVISOR_ADMIN_ADDRESS"] = supervisor.AdminAddress })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync()
            .Task.DefaultTimeout();
}
