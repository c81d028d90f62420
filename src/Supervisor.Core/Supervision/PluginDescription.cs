using Google.Protobuf.WellKnownTypes;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>The admin API's view of a plugin: state, instances, counters and latency.</summary>
internal static class PluginDescription
{
    public static PluginInfo Create(PluginRuntime plugin, IReadOnlyList<PluginInstance> instances)
    {
        var info = new PluginInfo
        {
            Name = plugin.Name,
            ActiveVersion = plugin.Version,
            DesiredInstances = (uint)plugin.Options.Instances,
            Counters = plugin.Counters.ToProto(),
            Latency = new LatencySummary
            {
                P50 = Duration.FromTimeSpan(plugin.Latency.Percentile(0.50)),
                P90 = Duration.FromTimeSpan(plugin.Latency.Percentile(0.90)),
                P99 = Duration.FromTimeSpan(plugin.Latency.Percentile(0.99)),
                Max = Duration.FromTimeSpan(plugin.Latency.Max),
                Count = (ulong)plugin.Latency.Count,
            },
        };

        var ready = 0;
        var starting = 0;
        foreach (var instance in instances)
        {
            ready += instance.IsRoutable ? 1 : 0;
            starting += instance.State == Instances.InstanceState.Starting ? 1 : 0;
            info.Instances.Add(new InstanceInfo
            {
                Id = instance.Id,
                Version = instance.Version,
                Pid = instance.Process.Pid,
                State = instance.IsUnreachable && instance.State == Instances.InstanceState.Ready ? Protocol.Admin.V1.InstanceState.Stopping : ToProto(instance.State),
                StartedAt = Timestamp.FromDateTimeOffset(instance.Process.StartedAt),
                Restarts = (uint)instance.Restarts,
                InFlight = (uint)instance.InFlight,
                Counters = instance.Counters.ToProto(),
                StopReason = instance.StopReason?.ToString().ToLowerInvariant() ?? string.Empty,
            });
        }

        info.QuarantineReason = plugin.QuarantineReason ?? string.Empty;
        info.State = plugin.IsStopping ? PluginState.Stopping
            : plugin.QuarantineReason is not null ? PluginState.Quarantined
            : ready >= plugin.Options.Instances ? PluginState.Running
            : ready > 0 ? PluginState.Degraded
            : starting > 0 ? PluginState.Starting
            : PluginState.Unavailable;
        return info;
    }

    private static Protocol.Admin.V1.InstanceState ToProto(Instances.InstanceState state) => state switch
    {
        Instances.InstanceState.Starting => Protocol.Admin.V1.InstanceState.Starting,
        Instances.InstanceState.Ready => Protocol.Admin.V1.InstanceState.Ready,
        Instances.InstanceState.Stopping => Protocol.Admin.V1.InstanceState.Stopping,
        _ => Protocol.Admin.V1.InstanceState.Exited,
    };
}
