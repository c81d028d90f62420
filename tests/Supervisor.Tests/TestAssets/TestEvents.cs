using Google.Protobuf;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Tests.TestAssets;

/// <summary>Events with a UTF-8 text payload, as the sample plugins take them.</summary>
internal static class TestEvents
{
    public static Event Create(string name, string payload) => new() { Name = name, Payload = ByteString.CopyFromUtf8(payload) };
}
