using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>
/// Readiness over every plugin configured now (a reload adds and removes plugins): the worst of their
/// <see cref="PluginHealthCheck"/> results, naming the plugins that are not healthy.
/// </summary>
internal sealed class AllPluginsHealthCheck(PluginSupervisor supervisor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var results = supervisor.ListPlugins().Select(p => (p.Name, Result: PluginHealthCheck.Of(p))).ToList();
        var worst = results.Count == 0 ? HealthStatus.Healthy : results.Min(r => r.Result.Status);
        var notHealthy = results.Where(r => r.Result.Status != HealthStatus.Healthy).Select(r => $"{r.Name}: {r.Result.Description}").ToList();
        var description = notHealthy.Count == 0 ? $"{results.Count} plugin(s) healthy" : string.Join("; ", notHealthy);
        return Task.FromResult(new HealthCheckResult(worst, description));
    }
}
