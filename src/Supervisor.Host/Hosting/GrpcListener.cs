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

    public static WebApplication Build(ListenAddress address, PluginSupervisor supervisor, IReadOnlyCollection<string> plugins, ILoggerFactory loggerFactory, Action<Grpc.AspNetCore.Server.GrpcServiceOptions> configureGrpc, Action<WebApplication> mapServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(supervisor);
        builder.Services.AddGrpc(configureGrpc);
        builder.Services.AddGrpcReflection();
        builder.Services.AddSupervisorGrpcHealth(supervisor, plugins);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (address.IsUnixSocket)
            {
                PrepareSocketPath(address.SocketPath);
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

    private static void PrepareSocketPath(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        // Kestrel leaves the socket file behind after SIGKILL; a stale file makes the bind fail.
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
