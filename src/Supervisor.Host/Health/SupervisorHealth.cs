using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>
/// The health checks every listener shares. Readiness (<c>/readyz</c>, and the gRPC health service "") is every
/// plugin configured now plus "accepting"; each plugin configured at start is also its own gRPC health service, named
/// after the plugin. Plugins a reload adds count toward readiness under "added-plugins" (registrations are fixed when
/// the listener is built); one a reload removed reports healthy, "removed", so it no longer holds readiness back. Liveness
/// (<c>/healthz</c>) runs no check: answering at all is the proof, and a check that could fail would make Kubernetes
/// restart a supervisor whose plugins are the problem.
/// </summary>
internal static class SupervisorHealth
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddSupervisorChecks(this IHealthChecksBuilder checks, PluginSupervisor supervisor, IEnumerable<string> plugins)
    {
        checks.Add(new HealthCheckRegistration("accepting", new AcceptingHealthCheck(supervisor), HealthStatus.Unhealthy, [ReadyTag]));
        var registered = plugins.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var plugin in registered)
        {
            checks.Add(new HealthCheckRegistration(plugin, new PluginHealthCheck(supervisor, plugin), HealthStatus.Unhealthy, [ReadyTag, PluginTag(plugin)]));
        }

        checks.Add(new HealthCheckRegistration("added-plugins", new AddedPluginsHealthCheck(supervisor, registered), HealthStatus.Unhealthy, [ReadyTag]));

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
