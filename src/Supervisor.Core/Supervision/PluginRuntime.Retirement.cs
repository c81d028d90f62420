using Microsoft.Extensions.Logging;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;
using InstanceState = Supervisor.Instances.InstanceState;

namespace Supervisor.Supervision;

/// <summary>Instances leaving service: replaced, retired (drain, then shut down or kill), killed, and their exits accounted for.</summary>
internal sealed partial class PluginRuntime
{
    /// <summary>Moves an instance out of its slot while it keeps serving until its successor is ready.</summary>
    internal void MoveToReplaced(PluginInstance instance)
    {
        lock (_gate)
        {
            if (_slotInstances.GetValueOrDefault(instance.Slot) == instance)
            {
                _slotInstances.Remove(instance.Slot);
            }

            _replaced.Add(instance);
        }
    }

    /// <summary>Takes an instance out of routing; it drains (up to DrainTimeout) and is then shut down or killed.</summary>
    internal void Retire(PluginInstance instance, StopReason reason, bool graceful)
    {
        instance.MarkStopping(reason);
        lock (_gate)
        {
            if (_slotInstances.GetValueOrDefault(instance.Slot) == instance)
            {
                _slotInstances.Remove(instance.Slot);
            }

            _replaced.Remove(instance);
            if (instance.State != InstanceState.Exited)
            {
                _retiring.Add(instance);
            }
        }

        Publish();
        var drainDeadline = _time.GetUtcNow() + Options.DrainTimeout;
        _ = reason == StopReason.Hung
            ? RetireHungAsync(instance, drainDeadline)
            : InstanceShutdown.RunAsync(instance, drainDeadline, graceful, _time, () => ReportKill(instance, reason, instance.StopDetail), CancellationToken.None);
    }

    // Out of routing already: its stacks are recorded (within HangDiagnostics.Budget) while its other calls drain, then
    // it is killed. The killed event, stamped with the kill's time, waits for the dump it carries to be read.
    private async Task RetireHungAsync(PluginInstance instance, DateTimeOffset drainDeadline)
    {
        var dump = await _diagnostics.CaptureAsync(Name, instance).ConfigureAwait(false);
        DateTimeOffset? killedAt = null;
        await InstanceShutdown.RunAsync(instance, drainDeadline, graceful: false, _time, () => killedAt = _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        var hangDump = await dump.ConfigureAwait(false);
        if (killedAt is { } at)
        {
            ReportKill(instance, StopReason.Hung, instance.StopDetail, hangDump: hangDump, at: at);
        }
    }

    private void KillNow(PluginInstance instance, StopReason reason, string detail, string? eventReason = null)
    {
        ReportKill(instance, reason, detail, eventReason);
        instance.Process.Kill();
    }

    private void ReportKill(PluginInstance instance, StopReason reason, string detail, string? eventReason = null, HangDump? hangDump = null, DateTimeOffset? at = null)
    {
        Pool.Counters.Kill();
        instance.Counters.Kill();
        var why = eventReason ?? ReasonName(reason);
        Events.Emit(LifecycleEventType.Killed, instance, why, detail, hangDump: hangDump, at: at);
        using (_logger.BeginScope(instance.Process.LogScope))
        {
            LogKilled(_logger, why, detail);
        }
    }

    /// <summary>Accounts for the process's exit, whoever caused it; every instance runs exactly one of these.</summary>
    private async Task WatchExitAsync(PluginInstance instance)
    {
        var exit = await instance.Process.Exited.ConfigureAwait(false);
        var expected = instance.StopReason is not null || _stopping.IsCancellationRequested;
        instance.MarkExited();
        lock (_gate)
        {
            if (_slotInstances.GetValueOrDefault(instance.Slot) == instance)
            {
                _slotInstances.Remove(instance.Slot);
            }

            _replaced.Remove(instance);
            _retiring.Remove(instance);
        }

        Publish();
        var how = exit.ToString();
        if (!expected && exit.OomKills > 0)
        {
            // The kernel's kill at the cgroup's memory cap, not a crash: reported as the supervisor's own kills are.
            ReportKill(instance, StopReason.Memory, $"the kernel killed it at MemoryLimitMb {Options.MemoryLimitMb} (the instance's cgroup cap, counting descendants)");
        }

        if (!expected)
        {
            RecordFailure($"exited with {how}; stderr: {instance.Process.StderrTail}");
        }

        Events.Emit(LifecycleEventType.Exited, instance, string.Empty, expected ? $"exited ({how})" : $"exited unexpectedly ({how}); stderr: {instance.Process.StderrTail}", exit: exit);
        using (_logger.BeginScope(instance.Process.LogScope))
        {
            if (expected)
            {
                LogExited(_logger, how);
            }
            else
            {
                LogExitedUnexpectedly(_logger, how, instance.Process.StderrTail);
            }
        }

        try
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The process is gone and accounted for; a failure to release its channel must not fail a shutdown.
            LogDisposeFailed(_logger, ex, instance.Id);
        }
    }

    internal static string ReasonName(StopReason reason) => reason.ToString().ToLowerInvariant();
}
