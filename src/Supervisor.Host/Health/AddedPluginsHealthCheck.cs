using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>
/// Readiness over the plugins a reload added since start (each plugin configured at start has a check of its own):
/// the worst of their <see cref="PluginHealthCheck"/> results, naming the plugins that are not healthy.
/// </summary>
internal sealed class AddedPluginsHealthCheck(PluginSupervisor supervisor, IReadOnlySet<string> checkedApart) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var results = supervisor.ListPlugins().Where(p => !checkedApart.Contains(p.Name)).Select(p => (p.Name, Result: PluginHealthCheck.Of(p))).ToList();
        if (results.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no plugin was added by a reload"));
        }

        var worst = results.Min(r => r.Result.Status);
        var description = string.Join("; ", results.Select(r => $"{r.Name}: {r.Result.Description}"));
        return Task.FromResult(new HealthCheckResult(worst, description));
    }
}
