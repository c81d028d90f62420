using Supervisor.PluginSdk.Shim;

namespace Supervisor.Tests.Sdk;

[TestClass]
public sealed class GrpcStatusMessageTests
{
    [TestMethod]
    public void Printable_ASCII_is_sent_as_it_is_and_percent_and_other_bytes_are_percent_encoded_as_UTF_8()
    {
        Assert.AreEqual("plugin 'x' does not handle event 'y'", GrpcStatusMessage.Encode("plugin 'x' does not handle event 'y'"));
        Assert.AreEqual("100%25 caf%C3%A9%0Anext", GrpcStatusMessage.Encode("100% café\nnext"));
    }
}
