using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Supervisor.Processes;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Processes;

/// <summary>A plugin's output lines as the supervisor logs them.</summary>
[TestClass]
public sealed class PluginOutputLoggerTests
{
    [TestMethod]
    [DataRow("""{"LogLevel":"7","Message":"x"}""")]
    [DataRow("""{"LogLevel":{"a":1},"Message":"x"}""")]
    [DataRow("""{"LogLevel":"Warning","Message":42}""")]
    public void A_malformed_JSON_line_is_logged_as_its_raw_text_at_the_level_of_its_stream(string line)
    {
        var (log, output) = Create(new FakeTimeProvider());

        output.Stdout(Encoding.UTF8.GetBytes(line), 0);
        output.Stderr(Encoding.UTF8.GetBytes(line), 0);

        var entries = log.Entries.ToList();
        Assert.HasCount(2, entries);
        Assert.AreEqual((LogLevel.Information, $"[stdout] {line}"), (entries[0].Level, entries[0].Message));
        Assert.AreEqual((LogLevel.Warning, $"[stderr] {line}"), (entries[1].Level, entries[1].Message));
        Assert.IsTrue(entries.All(e => (string?)e.Fields["plugin"] == "noisy"), "every line carries the plugin scope");
    }

    [TestMethod]
    public void A_record_with_a_numeric_level_is_logged_at_that_level_with_its_message()
    {
        var (log, output) = Create(new FakeTimeProvider());

        output.Stdout("""{"LogLevel":4,"Category":"py.worker","Message":"disk full"}"""u8, 0);

        var entry = log.Entries.Single();
        Assert.AreEqual((LogLevel.Error, "[py.worker] disk full"), (entry.Level, entry.Message));
    }

    [TestMethod]
    public void A_cut_line_is_logged_with_its_marker_and_invalid_UTF8_as_replacement_characters()
    {
        var (log, output) = Create(new FakeTimeProvider());

        output.Stderr([.. "bad "u8, 0xFF, .. " start of a long line"u8], 123_456);

        Assert.AreEqual("[stderr] bad \uFFFD start of a long line … [line truncated: 123456 more bytes dropped]", log.Entries.Single().Message);
    }

    [TestMethod]
    public void Lines_over_the_rate_are_dropped_and_the_report_counts_them()
    {
        var time = new FakeTimeProvider();
        var (log, output) = Create(time, burst: 5, linesPerSecond: 2);

        for (var i = 0; i < 12; i++)
        {
            output.Stdout(Encoding.UTF8.GetBytes($"line {i}"), 0);
        }

        output.ReportDropped();
        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 12; i < 15; i++)
        {
            output.Stderr(Encoding.UTF8.GetBytes($"line {i}"), 0);
        }

        output.ReportDropped();
        output.ReportDropped();

        var messages = log.Entries.Select(e => e.Message).ToList();
        CollectionAssert.AreEqual(
            new[]
            {
                "[stdout] line 0", "[stdout] line 1", "[stdout] line 2", "[stdout] line 3", "[stdout] line 4",
                "Dropped 7 output lines over the rate limit (2 lines/s, burst 5); 7 dropped since the process started",
                "[stderr] line 12", "[stderr] line 13",
                "Dropped 1 output lines over the rate limit (2 lines/s, burst 5); 8 dropped since the process started",
            },
            messages,
            string.Join(Environment.NewLine, messages));
        Assert.AreEqual(LogLevel.Warning, log.Entries.Single(e => e.Message.StartsWith("Dropped 7", StringComparison.Ordinal)).Level);
    }

    private static (CapturedLog Log, PluginOutputLogger Output) Create(TimeProvider time, int burst = 100, int linesPerSecond = 100)
    {
        var log = new CapturedLog();
        var logger = log.CreateLogger("Supervisor.Plugins");
        var output = new PluginOutputLogger(logger, new PluginLogScope("noisy", "1.0.0", "noisy-1", 42), new LineRateLimit(burst, linesPerSecond, time));
        return (log, output);
    }
}
