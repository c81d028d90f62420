namespace Supervisor.Diagnostics;

/// <summary>
/// The names under which the supervisor reports: subscribe with OpenTelemetry's <c>AddMeter</c> and <c>AddSource</c>.
/// </summary>
public static class SupervisorTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: dispatches, their duration, restarts, kills, instances, rolls.</summary>
    public const string MeterName = "PluginSupervisor";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: one <c>dispatch</c> activity per event routed to a plugin.</summary>
    public const string ActivitySourceName = "PluginSupervisor";
}
