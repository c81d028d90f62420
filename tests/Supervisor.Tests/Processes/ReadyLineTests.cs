using Supervisor.Processes;

namespace Supervisor.Tests.Processes;

[TestClass]
public sealed class ReadyLineTests
{
    [TestMethod]
    public void The_announcement_yields_the_address()
    {
        Assert.IsTrue(ReadyLine.TryParse("SUPERVISOR_PLUGIN_READY 1 unix:///tmp/x.sock", out var address, out _));
        Assert.AreEqual("unix:///tmp/x.sock", address);
    }

    [TestMethod]
    [DataRow("SUPERVISOR_PLUGIN_READY 2 unix:///tmp/x.sock", "protocol 2")]
    [DataRow("SUPERVISOR_PLUGIN_READY 1", "malformed")]
    [DataRow("SUPERVISOR_PLUGIN_READY 1 ftp://x", "ftp://x")]
    public void A_bad_announcement_says_what_is_wrong(string line, string expected)
    {
        Assert.IsFalse(ReadyLine.TryParse(line, out _, out var error));
        StringAssert.Contains(error, expected);
    }

    [TestMethod]
    public void Exit_codes_above_128_are_reported_as_signals()
    {
        Assert.AreEqual("signal 9 (SIGKILL)", new ProcessExit(137).ToString());
        Assert.AreEqual("exit code 3", new ProcessExit(3).ToString());
    }
}
