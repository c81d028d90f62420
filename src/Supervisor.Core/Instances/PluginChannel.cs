using Grpc.Net.Client;
using Supervisor.Protocol;

namespace Supervisor.Instances;

/// <summary>The gRPC channel to one plugin process, carrying that process's token on every call.</summary>
internal static class PluginChannel
{
    // Room for what travels with the payload (event id and name, attributes, the reply's content type): the payload
    // limit is checked before the call, and this keeps a legal payload from failing on its envelope.
    private const int EnvelopeAllowance = 1024 * 1024;

    // maxPayloadBytes: the plugin's MaxPayloadBytes; a reply larger than it and its envelope fails with RESOURCE_EXHAUSTED.
    public static GrpcChannel Create(string address, string token, int maxPayloadBytes, ConnectionTracker connections) =>
        SupervisorChannel.Create(address, token, maxPayloadBytes + EnvelopeAllowance, connections.Observe);
}
