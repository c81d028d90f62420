using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>Unhealthy once the supervisor is shutting down, so a load balancer stops sending events before the drain ends.</summary>
internal sealed class AcceptingHealthCheck(PluginSupervisor supervisor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(supervisor.IsStopping
            ? HealthCheckResult.Unhealthy("shutting down: no new events are taken")
            : HealthCheckResult.Healthy("taking events"));
}
