using Microsoft.AspNetCore.Server.Kestrel.Core;
using Supervisor.Configuration;

namespace Supervisor.Host.Hosting;

/// <summary>
/// Sizes the events listener's HTTP/2 limits so that calls reach the router, where each plugin's bulkhead
/// (<c>MaxConcurrency</c>, <c>QueueLimit</c>) decides to serve, queue or refuse them. With Kestrel's defaults, a
/// caller multiplexing over one connection gets 100 streams: call 101 waits in the client, invisible to the
/// supervisor, and is neither queued nor refused with RESOURCE_EXHAUSTED.
/// </summary>
internal static class EventsTransport
{
    // Shared by every stream of a connection: Kestrel's 1 MiB would let a few calls with large payloads stall the
    // rest while the handlers read. 16 MiB is what many concurrent calls with a few KiB each need in flight.
    private const int ConnectionWindowBytes = 16 * 1024 * 1024;

    // Per stream: Kestrel's default (768 KiB) rounded to 1 MiB, so a typical payload arrives in one window.
    private const int StreamWindowBytes = 1024 * 1024;

    public static void Configure(KestrelServerLimits limits, EventsOptions options)
    {
        limits.Http2.MaxStreamsPerConnection = options.MaxConcurrentStreams;
        limits.Http2.InitialConnectionWindowSize = ConnectionWindowBytes;
        limits.Http2.InitialStreamWindowSize = StreamWindowBytes;
    }
}
