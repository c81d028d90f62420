using Google.Protobuf.WellKnownTypes;
using Supervisor.Diagnostics;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Deployments;

/// <summary>The admin API's view of a plugin: state, instances, counters and latency.</summary>
internal static class PluginDescription
{
    public static PluginInfo Create(PluginDeployment plugin, IReadOnlyList<PluginInstance> instances, CallCounts counts, LatencySnapshot latency)
    {
        var active = plugin.Active;
        var info = new PluginInfo
        {
            Name = plugin.Name,
            ActiveVersion = active.Version,
            DesiredInstances = (uint)plugin.Options.Instances,
            Counters = counts.ToProto(),
            Latency = new LatencySummary
            {
                P50 = Duration.FromTimeSpan(latency.Percentile(0.50)),
                P90 = Duration.FromTimeSpan(latency.Percentile(0.90)),
                P99 = Duration.FromTimeSpan(latency.Percentile(0.99)),
                Max = Duration.FromTimeSpan(latency.Max),
                Count = (ulong)latency.Count,
            },
        };

        // The plugin's state is its active version's: a new version starting beside it does not make it "running".
        var ready = 0;
        var starting = 0;
        foreach (var instance in instances)
        {
            var ofActive = instance.Version == active.Version;
            ready += ofActive && instance.IsRoutable ? 1 : 0;
            starting += ofActive && instance.State == Instances.InstanceState.Starting ? 1 : 0;
            info.Instances.Add(new InstanceInfo
            {
                Id = instance.Id,
                Version = instance.Version,
                Pid = instance.Process.Pid,
                State = instance.IsUnreachable && instance.State == Instances.InstanceState.Ready ? Protocol.Admin.V1.InstanceState.Stopping : ToProto(instance.State),
                StartedAt = Timestamp.FromDateTimeOffset(instance.Process.StartedAt),
                Restarts = (uint)instance.Restarts,
                InFlight = (uint)instance.InFlight,
                Counters = instance.Counters.Snapshot().ToProto(),
                StopReason = instance.StopReason?.ToString().ToLowerInvariant() ?? string.Empty,
                Sandbox = SandboxOf(instance.Process.Sandbox),
                Usage = UsageOf(instance),
            });
        }

        info.QuarantineReason = active.QuarantineReason ?? string.Empty;
        info.State = plugin.IsStopping ? PluginState.Stopping
            : active.QuarantineReason is not null ? PluginState.Quarantined
            : ready >= plugin.Options.Instances ? PluginState.Running
            : ready > 0 ? PluginState.Degraded
            : starting > 0 ? PluginState.Starting
            : PluginState.Unavailable;
        return info;
    }

    private static SandboxInfo SandboxOf(Sandbox.InstanceSandbox sandbox)
    {
        var info = new SandboxInfo();
        if (sandbox.User is { } user)
        {
            info.Uid = user.Uid;
            info.Gid = user.Gid;
        }

        info.Layers.AddRange(sandbox.Layers.Select(l => new SandboxLayer { Name = l.Name, Applied = l.Applied, Detail = l.Detail }));
        return info;
    }

    private static ResourceUsage UsageOf(PluginInstance instance)
    {
        var usage = new ResourceUsage();
        if (instance.State == Instances.InstanceState.Exited)
        {
            return usage;
        }

        var now = instance.Process.Usage;
        if (now.CpuSeconds is { } cpu)
        {
            usage.CpuSeconds = cpu;
        }

        if (now.MemoryBytes is { } memory)
        {
            usage.MemoryBytes = (ulong)memory;
        }

        return usage;
    }

    private static Protocol.Admin.V1.InstanceState ToProto(Instances.InstanceState state) => state switch
    {
        Instances.InstanceState.Starting => Protocol.Admin.V1.InstanceState.Starting,
        Instances.InstanceState.Ready => Protocol.Admin.V1.InstanceState.Ready,
        Instances.InstanceState.Stopping => Protocol.Admin.V1.InstanceState.Stopping,
        _ => Protocol.Admin.V1.InstanceState.Exited,
    };
}
