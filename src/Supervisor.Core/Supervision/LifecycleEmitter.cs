using Google.Protobuf.WellKnownTypes;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>Publishes one plugin version's lifecycle events (WatchEvents), each with plugin, version, instance, pid and time.</summary>
internal sealed class LifecycleEmitter(string plugin, string version, LifecycleEventHub hub, TimeProvider time)
{
    public void Emit(LifecycleEventType type, PluginInstance? instance, string reason, string message, ProcessExit? exit = null, TimeSpan? delay = null, string? instanceId = null, HangDump? hangDump = null, DateTimeOffset? at = null)
    {
        var lifecycleEvent = new LifecycleEvent
        {
            Time = Timestamp.FromDateTimeOffset(at ?? time.GetUtcNow()),
            Type = type,
            Plugin = plugin,
            Version = instance?.Version ?? version,
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

        lifecycleEvent.HangDump = hangDump;
        hub.Publish(lifecycleEvent);
    }
}
