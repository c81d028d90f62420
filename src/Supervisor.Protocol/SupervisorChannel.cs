using System.Net.Http.Headers;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Supervisor.Protocol;

/// <summary>
/// Creates gRPC channels to Plugin Supervisor endpoints: a plugin's socket, the events API or the admin API,
/// over <c>unix:///abs/path.sock</c> or <c>http://host:port</c>, optionally sending a bearer token on every call.
/// </summary>
public static class SupervisorChannel
{
    private const string UnixScheme = "unix://";

    /// <summary>Creates a channel.</summary>
    /// <param name="address"><c>unix:///abs/path.sock</c> or <c>http://host:port</c>.</param>
    /// <param name="bearerToken">Sent as <c>authorization: Bearer …</c> on every call; <see langword="null"/> for none.</param>
    /// <param name="maxMessageBytes">The largest message sent or received. Defaults to 4 MB.</param>
    /// <param name="configureHandler">Adjusts the HTTP handler before use, e.g. to observe connections.</param>
    /// <returns>The channel; dispose it to close its connections.</returns>
    /// <exception cref="ArgumentException">The address has another scheme.</exception>
    public static GrpcChannel Create(string address, string? bearerToken = null, int maxMessageBytes = 4 * 1024 * 1024, Action<SocketsHttpHandler>? configureHandler = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var transport = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        Uri target;
        if (address.StartsWith(UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            var socketPath = address[UnixScheme.Length..];
            transport.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(socketPath, cancellationToken);
            // The authority is not used to route a Unix socket connection; any valid host will do.
            target = new Uri("http://localhost");
        }
        else if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            target = new Uri(address);
        }
        else
        {
            throw new ArgumentException($"'{address}' is not a supported address; use unix:///abs/path.sock or http://host:port", nameof(address));
        }

        configureHandler?.Invoke(transport);
        HttpMessageHandler handler = bearerToken is null ? transport : new BearerTokenHandler(bearerToken) { InnerHandler = transport };
        return GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
            DisposeHttpClient = true,
        });
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string socketPath, CancellationToken cancellationToken)
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

    // Adds the header once per HTTP request, instead of allocating call metadata on every call.
    private sealed class BearerTokenHandler(string token) : DelegatingHandler
    {
        private readonly AuthenticationHeaderValue _authorization = new("Bearer", token);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = _authorization;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
