using CliWrap;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Processes;
using Supervisor.Sandbox;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Processes;

/// <summary>A real child process whose output is hostile, read by <see cref="PluginProcess"/> itself.</summary>
[TestClass]
public sealed class PluginProcessOutputTests
{
    private const string Address = "unix:///tmp/never-bound.sock";

    [TestMethod]
    public async Task A_process_writing_malformed_logs_a_huge_line_and_a_flood_still_gets_ready_and_is_never_cut_off()
    {
        using var dir = new TempDirectory();
        var log = new CapturedLog();

        // Every write after the malformed lines would die of SIGPIPE (exit 141) if the supervisor stopped reading.
        var process = Start(dir, log, $$"""
            printf '%s\n' '{"LogLevel":"7","Message":"x"}' '{"LogLevel":2,"Message":"numeric level"}'
            printf '%s\n' '{"LogLevel":"7","Message":"x"}' '{"LogLevel":{"a":1},"Message":"x"}' >&2
            head -c 1000000 /dev/zero | tr '\0' y || exit 10
            echo
            yes flood 2>/dev/null | head -n 20000 || exit 11
            echo '{{Supervisor.Protocol.Handshake.ReadyLine(Address)}}'
            head -c 1000000 /dev/zero | tr '\0' z || exit 12
            echo
            exit 0
            """);

        var address = await process.Ready.DefaultTimeout();
        var exit = await process.Exited.DefaultTimeout();

        var entries = log.Entries.ToList();
        Assert.AreEqual(Address, address);
        Assert.AreEqual(0, exit.ExitCode, $"the script ended early ({exit}); log:{Environment.NewLine}{Describe(entries)}");
        Assert.IsTrue(entries.Any(e => e.Level == LogLevel.Information && e.Message == """[stdout] {"LogLevel":"7","Message":"x"}"""), Describe(entries));
        Assert.IsTrue(entries.Any(e => e.Level == LogLevel.Warning && e.Message == """[stderr] {"LogLevel":{"a":1},"Message":"x"}"""), Describe(entries));
        Assert.IsTrue(entries.Any(e => e.Level == LogLevel.Information && e.Message == "[] numeric level"), Describe(entries));
        Assert.IsTrue(entries.Any(e => e.Message == $"[stdout] {new string('y', OutputLimits.MaxLineBytes)} … [line truncated: {1_000_000 - OutputLimits.MaxLineBytes} more bytes dropped]"), "the huge line is cut with its marker");
        var floodLogged = entries.Count(e => e.Message == "[stdout] flood");
        var reports = entries.Where(e => e.Message.StartsWith("Dropped ", StringComparison.Ordinal)).ToList();
        Assert.IsLessThan(20_000, floodLogged, "the flood is rate limited");
        Assert.IsNotEmpty(reports, "dropped lines are reported");
        // Written, the ready line aside: 2 malformed lines on each stream, the y line, the flood, the z line. Which of
        // them the bucket drops depends on timing; that each is logged or counted does not.
        const int Written = 2 + 2 + 1 + 20_000 + 1;
        var logged = entries.Count(e => e.Message.StartsWith('['));
        StringAssert.EndsWith(reports[^1].Message, $"; {Written - logged} dropped since the process started", "every line is either logged or counted");
        Assert.IsTrue(entries.All(e => e.Level is >= LogLevel.Trace and <= LogLevel.Critical), "no line is logged at a level a formatter cannot print");
        StringAssert.Contains(process.StderrTail, """{"LogLevel":"7","Message":"x"} | {"LogLevel":{"a":1},"Message":"x"}""");
    }

    [TestMethod]
    public async Task The_ready_line_is_recognised_after_a_flood_that_empties_the_rate_limit()
    {
        using var dir = new TempDirectory();
        var log = new CapturedLog();

        var process = Start(dir, log, $$"""
            yes flood | head -n {{OutputLimits.LineBurst * 10}}
            echo '{{Supervisor.Protocol.Handshake.ReadyLine(Address)}}'
            exec cat
            """);

        Assert.AreEqual(Address, await process.Ready.DefaultTimeout());
        process.CloseStdin();
        Assert.AreEqual(0, (await process.Exited.DefaultTimeout()).ExitCode);
    }

    [TestMethod]
    public async Task An_execution_that_faults_with_any_exception_still_counts_as_an_exit()
    {
        var log = new CapturedLog();

        var exit = await PluginProcess.ExitOf(Task.FromException<CommandResult>(new ArgumentOutOfRangeException("logLevel")), log.CreateLogger("test"), "noisy-1").DefaultTimeout();

        Assert.AreEqual(-1, exit.ExitCode);
        var entry = log.Entries.Single();
        Assert.AreEqual(LogLevel.Error, entry.Level);
        StringAssert.Contains(entry.Message, "noisy-1");
    }

    private static PluginProcess Start(TempDirectory dir, CapturedLog log, string script)
    {
        File.WriteAllText(dir.File("noisy.sh"), script);
        File.WriteAllText(dir.File(PluginManifest.FileName), """{ "command": "/bin/sh", "args": ["noisy.sh"] }""");
        var launch = new PluginLaunch("noisy", "1.0.0", "noisy-1", PluginManifest.Load(dir.File(PluginManifest.FileName)), dir.File("noisy.sock"), "token", new Dictionary<string, string>(), InstanceSandbox.None);
        return PluginProcess.StartAsync(launch, log.CreateLogger("Supervisor.Plugins"), TimeProvider.System).GetAwaiter().GetResult();
    }

    private static string Describe(IEnumerable<CapturedLog.Entry> entries) =>
        string.Join(Environment.NewLine, entries.Select(e => $"  {e.Level}: {(e.Message.Length > 200 ? e.Message[..200] + "…" : e.Message)}"));
}
