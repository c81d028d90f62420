using Grpc.Net.Client;
using Supervisor.Protocol;

namespace Supervisor.Instances;

/// <summary>The gRPC channel to one plugin process, carrying that process's token on every call.</summary>
internal static class PluginChannel
{
    // Generous: the events API, not the plugin hop, enforces the payload limit callers see.
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    public static GrpcChannel Create(string address, string token, ConnectionTracker connections) =>
        SupervisorChannel.Create(address, token, MaxMessageBytes, connections.Observe);
}
