using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>
/// The health checks every listener shares. Readiness (<c>/readyz</c>, and the gRPC health service "") is every
/// plugin configured now plus "accepting"; each plugin configured at start is also its own gRPC health service, named
/// after the plugin (one a reload adds counts toward readiness but has no service of its own until a restart). Liveness
/// (<c>/healthz</c>) runs no check: answering at all is the proof, and a check that could fail would make Kubernetes
/// restart a supervisor whose plugins are the problem.
/// </summary>
internal static class SupervisorHealth
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddSupervisorChecks(this IHealthChecksBuilder checks, PluginSupervisor supervisor, IEnumerable<string> plugins)
    {
        checks.Add(new HealthCheckRegistration("accepting", new AcceptingHealthCheck(supervisor), HealthStatus.Unhealthy, [ReadyTag]));
        checks.Add(new HealthCheckRegistration("plugins", new AllPluginsHealthCheck(supervisor), HealthStatus.Unhealthy, [ReadyTag]));
        foreach (var plugin in plugins)
        {
            checks.Add(new HealthCheckRegistration(plugin, new PluginHealthCheck(supervisor, plugin), HealthStatus.Unhealthy, [PluginTag(plugin)]));
        }

        return checks;
    }

    /// <summary>Serves grpc.health.v1: "" is readiness, each plugin name is that plugin.</summary>
    public static void AddSupervisorGrpcHealth(this IServiceCollection services, PluginSupervisor supervisor, IReadOnlyCollection<string> plugins)
    {
        services.AddGrpcHealthChecks(o =>
        {
            // Answer Check from a fresh run: a cached result could report a quarantined plugin as serving.
            o.UseHealthChecksCache = false;
            o.Services.Map(string.Empty, r => r.Tags.Contains(ReadyTag));
            foreach (var plugin in plugins)
            {
                var tag = PluginTag(plugin);
                o.Services.Map(plugin, r => r.Tags.Contains(tag));
            }
        }).AddSupervisorChecks(supervisor, plugins);
    }

    private static string PluginTag(string plugin) => "plugin:" + plugin;
}
