using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Supervisor.Configuration;
using Supervisor.Host.Health;

namespace Supervisor.Host.Hosting;

/// <summary>
/// One Kestrel server serving one API on one address. The events and admin APIs get a server each, so an
/// admin call can never arrive on the events listener. Both also serve grpc.health.v1 and gRPC reflection, so
/// grpcurl and gRPC health probes work against either.
/// </summary>
internal static class GrpcListener
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Builds the server; nothing listens until it is started.</summary>
    /// <param name="key">The configuration key of <paramref name="address"/>, for errors (<c>Supervisor:Events:Listen</c>).</param>
    /// <param name="address">Where to listen.</param>
    /// <param name="supervisor">The engine the services call.</param>
    /// <param name="plugins">The configured plugins, for gRPC health.</param>
    /// <param name="loggerFactory">The supervisor's logging.</param>
    /// <param name="configureGrpc">The API's gRPC options (message size, interceptors).</param>
    /// <param name="configureLimits">The listener's transport limits (HTTP/2 streams and windows).</param>
    /// <param name="configureServices">Registers what the API's services need beyond the supervisor.</param>
    /// <param name="mapServices">Maps the API's services.</param>
    public static WebApplication Build(string key, ListenAddress address, PluginSupervisor supervisor, IReadOnlyCollection<string> plugins, ILoggerFactory loggerFactory, Action<Grpc.AspNetCore.Server.GrpcServiceOptions> configureGrpc, Action<KestrelServerLimits> configureLimits, Action<IServiceCollection> configureServices, Action<WebApplication> mapServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(supervisor);
        builder.Services.AddGrpc(configureGrpc);
        builder.Services.AddGrpcReflection();
        builder.Services.AddSupervisorGrpcHealth(supervisor, plugins);
        configureServices(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            configureLimits(kestrel.Limits);
            if (address.IsUnixSocket)
            {
                PrepareSocketPath(key, address.SocketPath);
                kestrel.ListenUnixSocket(address.SocketPath, listen => listen.Protocols = HttpProtocols.Http2);
            }
            else
            {
                kestrel.Listen(new IPEndPoint(address.Host, address.Port), listen => listen.Protocols = HttpProtocols.Http2);
            }
        });

        var app = builder.Build();
        mapServices(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>Restricts a Unix socket to the supervisor's user (mode 0600).</summary>
    public static void RestrictToOwner(ListenAddress address)
    {
        if (address.IsUnixSocket)
        {
            File.SetUnixFileMode(address.SocketPath, OwnerReadWrite);
        }
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:40123</c> when the configured port was 0.</summary>
    public static string BoundAddress(WebApplication app, ListenAddress configured) =>
        configured.IsUnixSocket
            ? configured.Original
            : app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? configured.Original;

    /// <exception cref="IOException">Something other than a socket is at <paramref name="path"/>: it is not ours to delete.</exception>
    private static void PrepareSocketPath(string key, string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        switch (SocketFile.KindOf(path))
        {
            case SocketFile.Kind.None:
                return;
            case SocketFile.Kind.Socket:
                // Kestrel leaves the socket file behind after SIGKILL; a stale file makes the bind fail.
                File.Delete(path);
                return;
            case var kind:
                throw new IOException($"{key}: '{path}' is a {Describe(kind)}, not a socket; only a stale socket is replaced. Remove it or listen elsewhere");
        }
    }

    private static string Describe(SocketFile.Kind kind) => kind switch
    {
        SocketFile.Kind.RegularFile => "regular file",
        SocketFile.Kind.Directory => "folder",
        SocketFile.Kind.SymbolicLink => "symbolic link",
        _ => "special file",
    };
}
