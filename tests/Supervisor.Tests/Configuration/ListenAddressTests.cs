using System.Net;
using Supervisor.Configuration;

namespace Supervisor.Tests.Configuration;

[TestClass]
public sealed class ListenAddressTests
{
    [TestMethod]
    public void Unix_and_TCP_addresses_parse()
    {
        Assert.IsTrue(ListenAddress.TryParse("unix:///run/sup/events.sock", out var unix, out _));
        Assert.IsTrue(ListenAddress.TryParse("http://127.0.0.1:7070", out var tcp, out _));
        Assert.IsTrue(ListenAddress.TryParse("http://localhost:0", out var local, out _));

        Assert.AreEqual("/run/sup/events.sock", unix.SocketPath);
        Assert.AreEqual(IPAddress.Parse("127.0.0.1"), tcp.Host);
        Assert.AreEqual(7070, tcp.Port);
        Assert.AreEqual(IPAddress.Loopback, local.Host);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("unix://relative.sock")]
    [DataRow("http://127.0.0.1")]
    [DataRow("http://example.com:80")]
    [DataRow("https://127.0.0.1:443")]
    [DataRow("tcp://127.0.0.1:1")]
    public void Invalid_addresses_say_what_is_expected(string text)
    {
        Assert.IsFalse(ListenAddress.TryParse(text, out _, out var error));
        StringAssert.Contains(error, "e");
        Assert.IsGreaterThan(20, error.Length, error);
    }
}
