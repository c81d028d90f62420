using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using Supervisor.Configuration;
using Supervisor.Host.Health;
using Supervisor.Host.Monitoring.Dashboard;

namespace Supervisor.Host.Monitoring;

/// <summary>
/// The plain HTTP/1.1 listener (<c>Monitoring:Listen</c>) for what Kubernetes and Prometheus speak: <c>/healthz</c>
/// (the process answers), <c>/readyz</c> (every plugin has a ready instance and the supervisor takes events),
/// <c>/metrics</c> (Prometheus text format) and the operator's dashboard at <c>/</c>. Kept apart from the gRPC
/// listeners, which speak HTTP/2 only.
/// </summary>
internal static class MonitoringListener
{
    public static WebApplication Build(ListenAddress address, PluginSupervisor supervisor, IReadOnlyCollection<string> plugins, MeterProvider? meters, DashboardAdminProxy admin, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddHealthChecks().AddSupervisorChecks(supervisor, plugins);
        builder.Services.AddDashboard(supervisor, admin);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(new IPEndPoint(address.Host!, address.Port), listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(SupervisorHealth.ReadyTag), ResponseWriter = HealthResponseWriter.WriteAsync });
        if (meters is not null)
        {
            app.MapPrometheusScrapingEndpoint("/metrics", meters, configureBranchedPipeline: null, optionsName: null);
        }

        app.MapDashboard();
        return app;
    }
}
