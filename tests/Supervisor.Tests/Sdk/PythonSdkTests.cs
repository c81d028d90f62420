using CliWrap;
using CliWrap.Buffered;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

/// <summary>
/// The Python SDK (plugin-sdk/python): its own unit and shim tests, and what is particular to Python under a real
/// supervisor. The conformance suite covers the duties every SDK shares.
/// </summary>
[TestClass]
public sealed class PythonSdkTests(TestContext testContext)
{
    // Plugins and tests run on Debian's interpreter, which has python3-grpcio and python3-protobuf (.ci/run installs them).
    private const string Python = "/usr/bin/python3";

    private static string SdkRoot => Path.Combine(Repository.Root, "plugin-sdk", "python");

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task The_python_sdks_own_tests_pass()
    {
        var result = await CliWrap.Cli.Wrap(Python)
            .WithArguments(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
            .WithWorkingDirectory(SdkRoot)
            .WithEnvironmentVariables(e => e.Set("PYTHONDONTWRITEBYTECODE", "1"))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(testContext.CancellationToken);

        // unittest reports on stderr, ending "OK" or "FAILED (...)"; the whole report is the failure message.
        Assert.AreEqual(0, result.ExitCode, result.StandardError + result.StandardOutput);
        StringAssert.Contains(result.StandardError, "OK");
    }

    [TestMethod]
    public async Task A_python_def_handler_stuck_in_a_busy_loop_is_reported_past_its_deadline_and_its_process_killed_and_replaced()
    {
        RequirePythonPlugin("conformance-python");
        using var dir = new TempDirectory();
        var options = new PluginOptions { Version = "1.0.0", HangGrace = TimeSpan.FromMilliseconds(500) };
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("conformance-python", options));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("conformance-python"));
        var hung = supervisor.GetPlugin("conformance-python").Instances.Single();
        var deadline = DateTime.UtcNow.AddMilliseconds(500);

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("conformance-python", TestEvents.Create("hang", ""), deadline).AsTask()).DefaultTimeout();
        var killed = await events.WaitForAsync(e => e.Type == LifecycleEventType.Killed && e.InstanceId == hung.Id, "the hung instance to be killed");
        await Wait.UntilAsync(() => !Posix.IsAlive(hung.Pid), "the hung process to be gone");
        await events.WaitForAsync(e => e.Type == LifecycleEventType.Ready && e.InstanceId != hung.Id, "a replacement to be ready");
        var reply = await supervisor.DispatchAsync("conformance-python", TestEvents.Create("echo", "back")).AsTask().DefaultTimeout();

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.AreEqual("hung", killed.Reason);
        // "past their deadline", not a liveness timeout: the spinning thread never stopped the shim answering GetStatus.
        StringAssert.Contains(killed.Message, "past their deadline");
        Assert.AreEqual("back", reply.Payload.ToStringUtf8());
    }

    [TestMethod]
    public async Task The_echo_python_sample_answers_through_the_supervisor_from_its_self_contained_folder()
    {
        RequirePythonPlugin("echo-python");
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo-python", new PluginOptions { Version = "1.0.0" }));
        var request = TestEvents.Create("greeting", "hello from .NET");
        request.ContentType = "text/plain";

        var reply = await supervisor.DispatchAsync("echo-python", request).AsTask().DefaultTimeout();

        Assert.AreEqual("hello from .NET", reply.Payload.ToStringUtf8());
        Assert.AreEqual("text/plain", reply.ContentType);
        Assert.AreEqual("1.0.0", reply.PluginVersion);
    }

    private static void RequirePythonPlugin(string name)
    {
        var manifest = Path.Combine(Repository.PluginsRoot, name, "1.0.0", "plugin.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"{manifest} is missing: run ./build.sh to publish the Python samples.");
        }

        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: Python plugins run on Debian's python3 (apt-get install python3-grpcio python3-protobuf).");
        }
    }
}
