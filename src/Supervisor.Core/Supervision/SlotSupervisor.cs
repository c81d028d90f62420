using Microsoft.Extensions.Logging;
using Supervisor.Instances;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Restart scheduling for one slot of a plugin version: start an instance, watch it, replace it when it exits or is
/// asked to go (hung, memory, an operator), back off by the <see cref="RestartPolicy"/>, and stop for a quarantine.
/// A graceful replacement starts the new process first and drains the old one once the new one is ready, so the
/// slot never drops to zero capacity; a hung process stops taking calls at once and its replacement starts in
/// parallel.
/// </summary>
internal sealed partial class SlotSupervisor(PluginRuntime runtime, int index)
{
    // Ends this slot alone (a scale-down) or with its version.
    private readonly CancellationTokenSource _removed = CancellationTokenSource.CreateLinkedTokenSource(runtime.Stopping);
    private SlotState _state = new(SlotPhase.Starting, default, false);

    public int Index => index;

    /// <summary>Gets the slot's phase and, while backing off, when it restarts and whether its last start failed.</summary>
    public SlotState State => Volatile.Read(ref _state);

    /// <summary>Removes the slot: a start in progress is cancelled and its process killed, a running instance drains and stops.</summary>
    public void Remove() => _removed.Cancel();

    public async Task RunAsync(TaskCompletionSource firstAttempt)
    {
        while (!_removed.IsCancellationRequested)
        {
            try
            {
                await SuperviseAsync(firstAttempt).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_removed.IsCancellationRequested)
            {
                // Shutting down, or scaled down.
            }
            catch (Exception ex)
            {
                // A bug here must not leave StartAsync waiting forever or the slot silently empty: say so, and supervise
                // the slot afresh after the longest restart delay. Quarantine still counts: the policy is the version's.
                firstAttempt.TrySetResult();
                runtime.RecordFailure($"slot {index} supervision failed: {ex.Message}");
                LogSlotFailed(runtime.Logger, ex, runtime.Name, index, runtime.Options.RestartMaxDelay.TotalMilliseconds);
                Enter(SlotPhase.BackingOff, runtime.Time.GetUtcNow() + runtime.Options.RestartMaxDelay, startFailed: true);
                await Task.Delay(runtime.Options.RestartMaxDelay, runtime.Time, _removed.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        Enter(SlotPhase.Stopped);
        firstAttempt.TrySetResult();
    }

    private async Task SuperviseAsync(TaskCompletionSource firstAttempt)
    {
        var stopping = _removed.Token;
        var consecutiveFailures = 0;
        var restarts = 0;
        var restartReason = string.Empty;
        PluginInstance? replacing = null;
        while (!stopping.IsCancellationRequested)
        {
            if (runtime.CurrentQuarantine is { } quarantine)
            {
                if (replacing is not null)
                {
                    // Its successor will not start before an operator lifts the quarantine: it must not run unwatched.
                    runtime.Retire(replacing, StopReason.Quarantine, graceful: true);
                    replacing = null;
                }

                Enter(SlotPhase.Quarantined);
                firstAttempt.TrySetResult();
                await quarantine.Lifted.Task.WaitAsync(stopping).ConfigureAwait(false);
                consecutiveFailures = 0;
            }

            if (restarts > 0)
            {
                runtime.Metrics.Restarted(runtime.Name, runtime.Version, restartReason);
            }

            Enter(SlotPhase.Starting);
            var (instance, killedByOperator) = await runtime.LaunchAsync(index, restarts, stopping).ConfigureAwait(false);
            firstAttempt.TrySetResult();
            if (replacing is not null && (instance is not null || stopping.IsCancellationRequested))
            {
                // New process first, then the old one drains: the slot never drops to zero capacity.
                runtime.Retire(replacing, replacing.StopReason ?? StopReason.Restart, graceful: true);
                replacing = null;
            }

            RestartDecision decision;
            if (instance is null)
            {
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                if (runtime.CurrentQuarantine is not null)
                {
                    // The start was refused for good (a pin mismatch): no backoff, the quarantine waits for an operator.
                    continue;
                }

                (restartReason, decision) = killedByOperator
                    ? ("admin", RestartDecision.RestartAfter(runtime.Options.RestartDelay, 0))
                    : ("start_failed", runtime.Policy.OnExit(++consecutiveFailures, TimeSpan.Zero));
            }
            else
            {
                Enter(SlotPhase.Running);
                var ranFor = await WatchAsync(instance, stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested)
                {
                    if (!runtime.IsStopping)
                    {
                        // Scaled down: the instance drains like any retired one; the version's stop handles the rest.
                        runtime.Retire(instance, StopReason.Scale, graceful: true);
                    }

                    break;
                }

                if (ranFor >= RestartPolicy.CleanRunReset)
                {
                    consecutiveFailures = 0;
                }

                if (instance.RecycleRequested.IsCompleted && !instance.Ended.IsCompleted)
                {
                    var reason = await instance.RecycleRequested.ConfigureAwait(false);
                    restartReason = PluginRuntime.ReasonName(reason);
                    if (reason is StopReason.Hung or StopReason.Quarantine)
                    {
                        // A hung process takes no new calls at once; its replacement starts in parallel.
                        runtime.Retire(instance, reason, graceful: reason != StopReason.Hung);
                    }
                    else
                    {
                        replacing = instance;
                        runtime.MoveToReplaced(instance);
                    }

                    runtime.Events.Emit(LifecycleEventType.Recycling, instance, restartReason, instance.StopDetail);
                    LogRecycling(runtime.Logger, instance.Id, restartReason, instance.StopDetail);

                    if (reason is not (StopReason.Hung or StopReason.Memory))
                    {
                        restarts++;
                        continue;
                    }

                    runtime.RecordFailure($"{restartReason}: {instance.StopDetail}");
                    decision = runtime.Policy.OnExit(++consecutiveFailures, ranFor);
                    if (!decision.Quarantined)
                    {
                        // The replacement starts at once: a call waiting for this slot is not made to wait out a backoff.
                        restarts++;
                        continue;
                    }
                }
                else if (instance.StopReason == StopReason.Admin)
                {
                    restartReason = "admin";

                    // An operator's kill is not the plugin's failure: no backoff step, no quarantine count.
                    decision = RestartDecision.RestartAfter(runtime.Options.RestartDelay, 0);
                }
                else
                {
                    restartReason = instance.StopReason is { } why ? PluginRuntime.ReasonName(why) : "exited";
                    decision = runtime.Policy.OnExit(++consecutiveFailures, ranFor);
                }
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            if (decision.Quarantined)
            {
                runtime.EnterQuarantine(decision.RecentRestarts);
                continue;
            }

            Enter(SlotPhase.BackingOff, runtime.Time.GetUtcNow() + decision.Delay, startFailed: instance is null && !killedByOperator);
            runtime.Events.Emit(LifecycleEventType.RestartScheduled, null, string.Empty, $"slot {index} restarts in {decision.Delay.TotalMilliseconds:0} ms", delay: decision.Delay);
            LogRestartScheduled(runtime.Logger, runtime.Name, index, decision.Delay.TotalMilliseconds);
            await Task.Delay(decision.Delay, runtime.Time, stopping).ConfigureAwait(false);
            restarts++;
        }
    }

    /// <summary>Watches a ready instance until it exits, is asked to go, or the slot is removed.</summary>
    /// <returns>How long it ran.</returns>
    private async Task<TimeSpan> WatchAsync(PluginInstance instance, CancellationToken removed)
    {
        var liveness = LivenessMonitor.Start(instance, runtime.Options, runtime.Time, runtime.Logger);
        await using (liveness.ConfigureAwait(false))
        {
            await ((Task)Task.WhenAny(instance.Ended, instance.RecycleRequested)).WaitAsync(removed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return runtime.Time.GetUtcNow() - instance.Process.StartedAt;
    }

    private void Enter(SlotPhase phase, DateTimeOffset restartAt = default, bool startFailed = false)
    {
        Volatile.Write(ref _state, new SlotState(phase, restartAt, startFailed));
        runtime.Pool.Signal();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recycling instance {InstanceId} (reason: {Reason}): {Detail}")]
    private static partial void LogRecycling(ILogger logger, string instanceId, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Supervision of plugin {Plugin} slot {Slot} failed; it starts again in {DelayMs:0} ms")]
    private static partial void LogSlotFailed(ILogger logger, Exception exception, string plugin, int slot, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restart of plugin {Plugin} slot {Slot} scheduled in {DelayMs:0} ms")]
    private static partial void LogRestartScheduled(ILogger logger, string plugin, int slot, double delayMs);
}
