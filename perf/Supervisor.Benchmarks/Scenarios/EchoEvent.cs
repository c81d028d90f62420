using Google.Protobuf;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>The event every scenario sends: one instance, built once, so no scenario pays for building it.</summary>
internal static class EchoEvent
{
    public const string Plugin = "echo";
    public const string Version = "1.0.0";
    public const int PayloadBytes = 1024;

    /// <summary>
    /// Creates the event. The id is set because <see cref="PluginSupervisor.DispatchAsync"/> fills in an empty one,
    /// and concurrent callers share this instance.
    /// </summary>
    public static Event Create()
    {
        var payload = new byte[PayloadBytes];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        return new Event
        {
            Id = "bench-0001",
            Name = "bench.echo",
            Payload = ByteString.CopyFrom(payload),
            ContentType = "application/octet-stream",
        };
    }

    /// <summary>Fails loudly if a reply is not the echo of the event, so a broken path cannot post great numbers.</summary>
    public static void Verify(string scenario, ByteString reply)
    {
        if (reply.Length != PayloadBytes)
        {
            throw new InvalidOperationException($"{scenario}: the reply carried {reply.Length} bytes; expected the {PayloadBytes}-byte payload back");
        }
    }
}
