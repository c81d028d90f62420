using System.Net.Sockets;
using Grpc.Net.Client;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// A channel to a Unix socket on which a call's deadline reaches the server without the client enforcing it.
/// Grpc.Net.Client enforces <c>CallOptions.Deadline</c> with its own timer (answering DEADLINE_EXCEEDED on time,
/// whatever the server does) and drops a <c>grpc-timeout</c> entry put in the metadata; so the call carries its
/// timeout in <see cref="TimeoutHeader"/>, which a handler below the client renames to <c>grpc-timeout</c>. The
/// server alone then answers the deadline, and the soak measures when it does.
/// </summary>
internal static class ServerDeadlineChannel
{
    /// <summary>The metadata key for the call's timeout, in grpc-timeout's format (e.g. <c>1500m</c>).</summary>
    public const string TimeoutHeader = "x-soak-timeout";

    private const string GrpcTimeoutHeader = "grpc-timeout";

    /// <param name="socketPath">The server's Unix socket.</param>
    public static GrpcChannel Create(string socketPath)
    {
        // SupervisorChannel builds the same transport but has no place for a handler above it.
        var transport = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken),
        };
        return GrpcChannel.ForAddress(new Uri("http://localhost"), new GrpcChannelOptions
        {
            HttpHandler = new TimeoutHeaderHandler { InnerHandler = transport },
            DisposeHttpClient = true,
        });
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class TimeoutHeaderHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues(TimeoutHeader, out var values))
            {
                var timeout = values.First();
                request.Headers.Remove(TimeoutHeader);
                request.Headers.TryAddWithoutValidation(GrpcTimeoutHeader, timeout);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
