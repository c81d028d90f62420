using Google.Protobuf.WellKnownTypes;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>Lifecycle events (WatchEvents), each with plugin, version, instance, pid and time.</summary>
internal sealed partial class PluginRuntime
{
    private void Emit(LifecycleEventType type, PluginInstance? instance, string reason, string message, ProcessExit? exit = null, TimeSpan? delay = null, string? instanceId = null)
    {
        var lifecycleEvent = new LifecycleEvent
        {
            Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            Type = type,
            Plugin = Name,
            Version = instance?.Version ?? Version,
            InstanceId = instance?.Id ?? instanceId ?? string.Empty,
            Pid = instance?.Process.Pid ?? 0,
            Reason = reason,
            Message = message,
        };
        if (exit is { } e)
        {
            lifecycleEvent.ExitCode = e.Signal is null ? e.ExitCode : 0;
            lifecycleEvent.Signal = e.Signal ?? 0;
        }

        if (delay is { } d)
        {
            lifecycleEvent.Delay = Duration.FromTimeSpan(d);
        }

        _events.Publish(lifecycleEvent);
    }
}
