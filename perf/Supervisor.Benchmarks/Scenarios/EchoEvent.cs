using Google.Protobuf;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>The events the scenarios send: each built once, so no scenario pays for building it.</summary>
internal static class EchoEvent
{
    public const string Plugin = "echo";
    public const string Version = "1.0.0";

    /// <summary>The payload of the shared event every scenario sends; the payload rounds add larger ones.</summary>
    public const int PayloadBytes = 1024;

    /// <summary>
    /// Creates an event. The id is set because <see cref="PluginSupervisor.DispatchAsync"/> fills in an empty one,
    /// and concurrent callers share each instance.
    /// </summary>
    public static Event Create(int payloadBytes = PayloadBytes)
    {
        var payload = new byte[payloadBytes];
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
    public static void Verify(string scenario, Event sent, ByteString reply)
    {
        if (reply.Length != sent.Payload.Length)
        {
            throw new InvalidOperationException($"{scenario}: the reply carried {reply.Length} bytes; expected the {sent.Payload.Length}-byte payload back");
        }
    }
}
