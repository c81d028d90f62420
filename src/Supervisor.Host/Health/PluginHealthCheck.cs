using Microsoft.Extensions.Diagnostics.HealthChecks;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Health;

/// <summary>
/// One plugin's health, from its state: healthy when every configured instance is ready, degraded (still ready:
/// it answers calls) when some are, unhealthy when none is, while it is quarantined, and while it shuts down.
/// </summary>
internal sealed class PluginHealthCheck(PluginSupervisor supervisor, string plugin) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(Of(supervisor.GetPlugin(plugin)));
        }
        catch (KeyNotFoundException)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"plugin '{plugin}' is no longer configured: a reload removed it"));
        }
    }

    public static HealthCheckResult Of(PluginInfo info)
    {
        var ready = info.Instances.Count(i => i.Version == info.ActiveVersion && i.State == InstanceState.Ready);
        var summary = $"{ready} of {info.DesiredInstances} instance(s) of {info.ActiveVersion} ready";
        return info.State switch
        {
            PluginState.Running => HealthCheckResult.Healthy(summary),
            PluginState.Degraded => HealthCheckResult.Degraded(summary),
            PluginState.Quarantined => HealthCheckResult.Unhealthy($"quarantined: {info.QuarantineReason}"),
            PluginState.Stopping => HealthCheckResult.Unhealthy("shutting down"),
            PluginState.Starting => HealthCheckResult.Unhealthy($"starting: {summary}"),
            _ => HealthCheckResult.Unhealthy($"unavailable: {summary}"),
        };
    }
}
