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

    public static IEnumerable<Measurement<double>> Cpu(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var (plugin, instance, usage) in Running(plugins))
        {
            if (usage.CpuSeconds is { } seconds)
            {
                yield return new Measurement<double>(seconds, InstanceTags(plugin, instance));
            }
        }
    }

    public static IEnumerable<Measurement<long>> Memory(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var (plugin, instance, usage) in Running(plugins))
        {
            if (usage.MemoryBytes is { } bytes)
            {
                yield return new Measurement<long>(bytes, InstanceTags(plugin, instance));
            }
        }
    }

    private static IEnumerable<(PluginDeployment Plugin, PluginInstance Instance, Sandbox.ResourceUsage Usage)> Running(IEnumerable<PluginDeployment> plugins)
    {
        foreach (var plugin in plugins)
        {
            foreach (var instance in plugin.SnapshotInstances())
            {
                if (instance.State != InstanceState.Exited)
                {
                    yield return (plugin, instance, instance.Process.Usage);
                }
            }
        }
    }

    private static KeyValuePair<string, object?>[] InstanceTags(PluginDeployment plugin, PluginInstance instance) =>
        [new("plugin.name", plugin.Name), new("plugin.version", instance.Version), new("instance.id", instance.Id)];

    private static string StateName(InstanceState state) => state switch
    {
        InstanceState.Starting => "starting",
        InstanceState.Ready => "ready",
        InstanceState.Stopping => "stopping",
        _ => "exited",
    };
}
