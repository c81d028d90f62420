using Microsoft.Extensions.Logging;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;
using InstanceState = Supervisor.Instances.InstanceState;

namespace Supervisor.Supervision;

/// <summary>What operators do to a version (kill, restart) and the quarantine they lift.</summary>
internal sealed partial class PluginRuntime
{
    /// <summary>Sends SIGKILL to one instance, or to all when <paramref name="instanceId"/> is empty.</summary>
    /// <returns>The ids killed; empty when no instance has that id.</returns>
    public IReadOnlyList<string> Kill(string? instanceId)
    {
        var targets = SnapshotInstances().Where(i => i.State != InstanceState.Exited && (string.IsNullOrEmpty(instanceId) || i.Id == instanceId)).ToList();
        foreach (var instance in targets)
        {
            instance.MarkStopping(StopReason.Admin);
        }

        Publish();
        foreach (var instance in targets)
        {
            KillNow(instance, StopReason.Admin, "an operator called KillInstance");
        }

        return [.. targets.Select(i => i.Id)];
    }

    /// <summary>
    /// Lifts a quarantine; otherwise recycles every instance gracefully (a new process first, then the old drains).
    /// </summary>
    public (IReadOnlyList<string> Recycled, bool QuarantineLifted) Restart()
    {
        Quarantine? lifted;
        lock (_gate)
        {
            lifted = _quarantine;
            _quarantine = null;
        }

        if (lifted is not null)
        {
            Policy.Reset();
            Events.Emit(LifecycleEventType.QuarantineLifted, null, "admin", $"an operator lifted the quarantine ({lifted.Reason})");
            LogQuarantineLifted(_logger, Name);
            lifted.Lifted.TrySetResult();
            Pool.Signal();
            return ([], true);
        }

        var recycled = new List<string>();
        foreach (var instance in CurrentInstances())
        {
            if (instance.RequestRecycle(StopReason.Restart, "an operator called RestartPlugin"))
            {
                recycled.Add(instance.Id);
            }
        }

        return (recycled, false);
    }

    internal void EnterQuarantine(int recentRestarts) =>
        EnterQuarantine(
            $"plugin '{Name}' {Version} restarted {recentRestarts} times within RestartWindow ({Options.RestartWindow.TotalSeconds:0} s, MaxRestarts {Options.MaxRestarts}); last failure: {Volatile.Read(ref _lastFailure)}",
            "crash-loop");

    /// <summary>Quarantines the version for <paramref name="reason"/>; <paramref name="eventReason"/> is the event's short reason.</summary>
    internal void EnterQuarantine(string reason, string eventReason)
    {
        lock (_gate)
        {
            if (_quarantine is not null)
            {
                return;
            }

            _quarantine = new Quarantine(reason);
        }

        Publish();
        Events.Emit(LifecycleEventType.Quarantined, null, eventReason, reason);
        LogQuarantined(_logger, reason);
        foreach (var instance in CurrentInstances())
        {
            instance.RequestRecycle(StopReason.Quarantine, "the plugin was quarantined");
        }
    }
}
