using Supervisor.PluginSdk.Hosting;

namespace Supervisor.Tests.Sdk;

[TestClass]
public sealed class HandshakeEnvironmentTests
{
    private static readonly Dictionary<string, string> Valid = new()
    {
        ["SUPERVISOR_PROTOCOL_VERSION"] = "1",
        ["SUPERVISOR_PLUGIN_ADDRESS"] = "unix:///tmp/p.sock",
        ["SUPERVISOR_PLUGIN_TOKEN"] = "secret",
        ["SUPERVISOR_PLUGIN_NAME"] = "echo",
        ["SUPERVISOR_PLUGIN_VERSION"] = "1.0.0",
        ["SUPERVISOR_INSTANCE_ID"] = "echo-1",
        ["SUPERVISOR_PLUGIN_SETTINGS"] = """{"greeting":"hi","retries":3}""",
    };

    [TestMethod]
    public void The_handshake_yields_the_socket_token_and_settings()
    {
        var handshake = HandshakeEnvironment.TryRead(Valid.GetValueOrDefault, out var error);

        Assert.IsNotNull(handshake, error);
        Assert.AreEqual("/tmp/p.sock", handshake.SocketPath);
        Assert.AreEqual("secret", handshake.Token);
        Assert.AreEqual("hi", handshake.Context.Settings["greeting"]);
        Assert.AreEqual("3", handshake.Context.Settings["retries"]);
    }

    [TestMethod]
    [DataRow("SUPERVISOR_PROTOCOL_VERSION", "2", "protocol")]
    [DataRow("SUPERVISOR_PLUGIN_ADDRESS", "tcp://x", "unix://")]
    [DataRow("SUPERVISOR_PLUGIN_TOKEN", "", "TOKEN")]
    [DataRow("SUPERVISOR_PLUGIN_SETTINGS", "[1]", "JSON object")]
    public void A_wrong_variable_is_named(string variable, string value, string expected)
    {
        var environment = new Dictionary<string, string>(Valid) { [variable] = value };

        Assert.IsNull(HandshakeEnvironment.TryRead(environment.GetValueOrDefault, out var error));
        StringAssert.Contains(error, expected);
    }
}
