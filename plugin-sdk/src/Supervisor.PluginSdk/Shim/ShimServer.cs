using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Kestrel on the handshake's Unix socket, made without a host or a service container: HTTP/2 only (the supervisor
/// speaks it with prior knowledge), no <c>Server</c> header.
/// </summary>
internal static class ShimServer
{
    public static KestrelServer Create(string socketPath, ILoggerFactory loggerFactory)
    {
        var options = new KestrelServerOptions { AddServerHeader = false };
        // No limit of the shim's own: the supervisor enforces each plugin's MaxPayloadBytes before it sends, and only
        // the supervisor (holding the token, in a folder only its user can enter) reaches this socket.
        options.Limits.MaxRequestBodySize = null;
        options.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        return new KestrelServer(Options.Create(options), transport, loggerFactory);
    }
}
