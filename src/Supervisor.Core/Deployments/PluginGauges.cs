using System.Diagnostics.Metrics;
using Supervisor.Instances;

namespace Supervisor.Deployments;

/// <summary>The observed gauges of <c>SupervisorMetrics</c>, read off the plugins when a reader collects.</summary>
internal static class PluginGauges
{
    public static IEnumerable<Measurement<long>> Instances(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var plugin in plugins)
        {
            foreach (var group in plugin.SnapshotInstances().GroupBy(i => (i.Version, i.State)))
            {
                yield return new Measurement<long>(group.Count(), new("plugin.name", plugin.Name), new("plugin.version", group.Key.Version), new("instance.state", StateName(group.Key.State)));
            }
        }
    }

    public static IEnumerable<Measurement<long>> InFlight(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var plugin in plugins)
        {
            long inFlight = 0;
            foreach (var instance in plugin.SnapshotInstances())
            {
                inFlight += instance.InFlight;
            }

            yield return new Measurement<long>(inFlight, new KeyValuePair<string, object?>("plugin.name", plugin.Name));
        }
    }

    public static IEnumerable<Measurement<long>> Quarantined(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var plugin in plugins)
        {
            yield return new Measurement<long>(plugin.Active.QuarantineReason is null ? 0 : 1, new KeyValuePair<string, object?>("plugin.name", plugin.Name));
        }
    }

    private static string StateName(InstanceState state) => state switch
    {
        InstanceState.Starting => "starting",
        InstanceState.Ready => "ready",
        InstanceState.Stopping => "stopping",
        _ => "exited",
    };
}
