using Supervisor.PluginSdk.Shim;

namespace Supervisor.Tests.Sdk;

[TestClass]
public sealed class GrpcTimeoutTests
{
    [TestMethod]
    [DataRow("2H", 2L * TimeSpan.TicksPerHour)]
    [DataRow("3M", 3L * TimeSpan.TicksPerMinute)]
    [DataRow("10S", 10L * TimeSpan.TicksPerSecond)]
    [DataRow("250m", 250L * TimeSpan.TicksPerMillisecond)]
    [DataRow("7u", 70L)]
    [DataRow("1500n", 15L)]
    [DataRow("1n", 1L)]
    [DataRow("99999999H", 99999999L * TimeSpan.TicksPerHour)]
    [DataRow("0m", 0L)]
    public void A_grpc_timeout_in_each_unit_is_read_as_the_time_it_says(string header, long ticks)
    {
        Assert.IsTrue(GrpcTimeout.TryParse(header, out var timeout), header);
        Assert.AreEqual(TimeSpan.FromTicks(ticks), timeout, header);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("m")]
    [DataRow("100")]
    [DataRow("100x")]
    [DataRow("1h")]
    [DataRow("-5S")]
    [DataRow("1.5S")]
    [DataRow(" 5S")]
    [DataRow("123456789S")]
    public void A_grpc_timeout_that_is_not_digits_and_a_unit_is_refused(string header)
    {
        Assert.IsFalse(GrpcTimeout.TryParse(header, out _), header);
    }
}
