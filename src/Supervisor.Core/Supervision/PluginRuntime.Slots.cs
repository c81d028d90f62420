using System.Security.Cryptography;
using Grpc.Core;
using Supervisor.Configuration;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;
using InstanceState = Supervisor.Instances.InstanceState;

namespace Supervisor.Supervision;

/// <summary>The life of one slot: start, watch, replace, back off, quarantine.</summary>
internal sealed partial class PluginRuntime
{
    private async Task RunSlotAsync(int slot, TaskCompletionSource firstAttempt)
    {
        try
        {
            await SuperviseSlotAsync(slot, firstAttempt).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            // A bug here must not leave StartAsync waiting forever or the slot silently empty.
            LogSlotFailed(_logger, ex, Name, slot);
        }
        finally
        {
            firstAttempt.TrySetResult();
        }
    }

    private async Task SuperviseSlotAsync(int slot, TaskCompletionSource firstAttempt)
    {
        var stopping = _stopping.Token;
        var consecutiveFailures = 0;
        var restarts = 0;
        var restartReason = string.Empty;
        PluginInstance? replacing = null;
        while (!stopping.IsCancellationRequested)
        {
            if (Volatile.Read(ref _quarantine) is { } quarantine)
            {
                firstAttempt.TrySetResult();
                await quarantine.Lifted.Task.WaitAsync(stopping).ConfigureAwait(false);
                consecutiveFailures = 0;
            }

            if (restarts > 0)
            {
                _metrics.Restarted(Name, Version, restartReason);
            }

            var instance = await StartInstanceAsync(slot, restarts, stopping).ConfigureAwait(false);
            firstAttempt.TrySetResult();
            if (replacing is not null && (instance is not null || stopping.IsCancellationRequested))
            {
                // New process first, then the old one drains: the slot never drops to zero capacity.
                Retire(replacing, replacing.StopReason ?? StopReason.Restart, graceful: true);
                replacing = null;
            }

            RestartDecision decision;
            if (instance is null)
            {
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                restartReason = "start_failed";
                decision = _policy.OnExit(++consecutiveFailures, TimeSpan.Zero);
            }
            else
            {
                await Task.WhenAny(instance.Ended, instance.RecycleRequested).ConfigureAwait(false);
                var ranFor = _time.GetUtcNow() - instance.Process.StartedAt;
                if (ranFor >= RestartPolicy.CleanRunReset)
                {
                    consecutiveFailures = 0;
                }

                if (instance.RecycleRequested.IsCompleted && !instance.Ended.IsCompleted)
                {
                    var reason = await instance.RecycleRequested.ConfigureAwait(false);
                    restartReason = Reason(reason);
                    Emit(LifecycleEventType.Recycling, instance, Reason(reason), instance.StopDetail);
                    LogRecycling(_logger, instance.Id, Reason(reason), instance.StopDetail);
                    if (reason is StopReason.Hung or StopReason.Quarantine)
                    {
                        // A hung process takes no new calls at once; its replacement starts in parallel.
                        Retire(instance, reason, graceful: reason != StopReason.Hung);
                    }
                    else
                    {
                        replacing = instance;
                        MoveToReplaced(instance);
                    }

                    if (reason is StopReason.Hung or StopReason.Memory)
                    {
                        RecordFailure($"{Reason(reason)}: {instance.StopDetail}");
                        decision = _policy.OnExit(++consecutiveFailures, ranFor);
                        if (!decision.Quarantined)
                        {
                            restarts++;
                            continue;
                        }
                    }
                    else
                    {
                        restarts++;
                        continue;
                    }
                }
                else if (instance.StopReason == StopReason.Admin)
                {
                    restartReason = "admin";
                    // An operator's kill is not the plugin's failure: no backoff step, no quarantine count.
                    decision = RestartDecision.RestartAfter(_options.RestartDelay, 0);
                }
                else
                {
                    restartReason = instance.StopReason is { } why ? Reason(why) : "exited";
                    decision = _policy.OnExit(++consecutiveFailures, ranFor);
                }
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            if (decision.Quarantined)
            {
                EnterQuarantine(decision.RecentRestarts);
                continue;
            }

            Emit(LifecycleEventType.RestartScheduled, null, string.Empty, $"slot {slot} restarts in {decision.Delay.TotalMilliseconds:0} ms", delay: decision.Delay);
            LogRestartScheduled(_logger, Name, slot, decision.Delay.TotalMilliseconds);
            await Task.Delay(decision.Delay, _time, stopping).ConfigureAwait(false);
            restarts++;
        }
    }

    private async Task<PluginInstance?> StartInstanceAsync(int slot, int restarts, CancellationToken stopping)
    {
        var suffix = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var instanceId = $"{Name}-{suffix}";
        var manifestPath = PluginManifest.PathOf(_pluginsRoot, Name, Version);
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        PluginProcess process;
        try
        {
            var manifest = PluginManifest.Load(manifestPath);
            var launch = new PluginLaunch(Name, Version, instanceId, manifest, _runtimeDirectory!.SocketPath(suffix), token, _options.Settings);
            process = PluginProcess.Start(launch, _logger, _time);
        }
        catch (Exception ex) when (ex is PluginStartException or InvalidDataException)
        {
            RecordFailure($"start failed: {ex.Message}");
            Emit(LifecycleEventType.StartFailed, null, "startup", ex.Message, instanceId: instanceId);
            LogStartFailed(_logger, Name, Version, instanceId, ex.Message);
            return null;
        }

        var instance = new PluginInstance(instanceId, Version, slot, restarts, process, _options);
        instance.Ended = WatchExitAsync(instance);
        lock (_gate)
        {
            _slots[slot] = instance;
        }

        using var scope = _logger.BeginScope(process.LogScope);
        Emit(LifecycleEventType.Started, instance, string.Empty, $"started from {manifestPath}");
        LogStarted(_logger, manifestPath);
        string reason;
        try
        {
            var startupDeadline = process.StartedAt + _options.StartupTimeout;
            var address = await process.Ready.WaitAsync(_options.StartupTimeout, _time, stopping).ConfigureAwait(false);
            instance.Connect(address, token);

            // Ready means "answers gRPC with our token", not just "printed a line"; this also opens the connection,
            // so the first event does not pay for it.
            var description = await instance.Client.DescribeAsync(
                new Protocol.Plugin.V1.DescribeRequest(),
                new CallOptions(deadline: startupDeadline.UtcDateTime, cancellationToken: stopping)).ConfigureAwait(false);
            instance.MarkReady();
            instance.Monitor = new InstanceMonitor(instance, _options, _time, _logger);
            instance.Monitor.Start();
            Publish();
            var startMs = (_time.GetUtcNow() - process.StartedAt).TotalMilliseconds;
            Emit(LifecycleEventType.Ready, instance, string.Empty, $"ready in {startMs:0} ms");
            LogReady(_logger, startMs, address, description.Sdk, description.SdkVersion);
            return instance;
        }
        catch (TimeoutException)
        {
            reason = $"not ready within StartupTimeout ({_options.StartupTimeout.TotalMilliseconds:0} ms); stderr: {process.StderrTail}";
        }
        catch (PluginStartException ex)
        {
            reason = ex.Message;
        }
        catch (RpcException ex)
        {
            reason = ex.StatusCode == StatusCode.DeadlineExceeded
                ? $"printed its ready line but did not answer Describe within StartupTimeout ({_options.StartupTimeout.TotalMilliseconds:0} ms)"
                : $"printed its ready line but Describe failed: {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (OperationCanceledException)
        {
            reason = "the supervisor is stopping";
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the process must not be left running unsupervised.
            reason = $"unexpected {ex.GetType().Name} while starting: {ex.Message}";
        }

        RecordFailure($"start failed: {reason}");
        Emit(LifecycleEventType.StartFailed, instance, "startup", reason);
        LogNotReady(_logger, reason);
        instance.MarkStopping(StopReason.Shutdown);
        KillNow(instance, StopReason.Shutdown, reason, eventReason: "startup");
        await WaitAtMostAsync(instance.Ended, $"instance {instance.Id} to exit after its failed start").ConfigureAwait(false);
        return null;
    }

    /// <summary>Accounts for the process's exit, whoever caused it; every instance runs exactly one of these.</summary>
    private async Task WatchExitAsync(PluginInstance instance)
    {
        var exit = await instance.Process.Exited.ConfigureAwait(false);
        var expected = instance.StopReason is not null || _stopping.IsCancellationRequested;
        instance.MarkExited();
        lock (_gate)
        {
            if (_slots[instance.Slot] == instance)
            {
                _slots[instance.Slot] = null;
            }

            _replaced.Remove(instance);
            _retiring.Remove(instance);
        }

        Publish();
        var how = exit.ToString();
        if (!expected)
        {
            RecordFailure($"exited with {how}; stderr: {instance.Process.StderrTail}");
        }

        Emit(LifecycleEventType.Exited, instance, string.Empty, expected ? $"exited ({how})" : $"exited unexpectedly ({how}); stderr: {instance.Process.StderrTail}", exit: exit);
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

    private void MoveToReplaced(PluginInstance instance)
    {
        lock (_gate)
        {
            if (_slots[instance.Slot] == instance)
            {
                _slots[instance.Slot] = null;
            }

            _replaced.Add(instance);
        }
    }

    /// <summary>Takes an instance out of routing; it drains (up to DrainTimeout) and is then shut down or killed.</summary>
    private void Retire(PluginInstance instance, StopReason reason, bool graceful)
    {
        instance.MarkStopping(reason);
        lock (_gate)
        {
            if (_slots[instance.Slot] == instance)
            {
                _slots[instance.Slot] = null;
            }

            _replaced.Remove(instance);
            if (instance.State != InstanceState.Exited)
            {
                _retiring.Add(instance);
            }
        }

        Publish();
        var drainDeadline = _time.GetUtcNow() + _options.DrainTimeout;
        _ = InstanceShutdown.RunAsync(instance, drainDeadline, graceful, _time, () => ReportKill(instance, reason, instance.StopDetail), CancellationToken.None);
    }

    private void KillNow(PluginInstance instance, StopReason reason, string detail, string? eventReason = null)
    {
        ReportKill(instance, reason, detail, eventReason);
        instance.Process.Kill();
    }

    private void ReportKill(PluginInstance instance, StopReason reason, string detail, string? eventReason = null)
    {
        Counters.Kill();
        instance.Counters.Kill();
        var why = eventReason ?? Reason(reason);
        Emit(LifecycleEventType.Killed, instance, why, detail);
        using (_logger.BeginScope(instance.Process.LogScope))
        {
            LogKilled(_logger, why, detail);
        }
    }

    private void EnterQuarantine(int recentRestarts)
    {
        string reason;
        lock (_gate)
        {
            if (_quarantine is not null)
            {
                return;
            }

            reason = $"plugin '{Name}' {Version} restarted {recentRestarts} times within RestartWindow ({_options.RestartWindow.TotalSeconds:0} s, MaxRestarts {_options.MaxRestarts}); last failure: {_lastFailure}";
            _quarantine = new Quarantine(reason);
        }

        Publish();
        Emit(LifecycleEventType.Quarantined, null, "crash-loop", reason);
        LogQuarantined(_logger, reason);
        foreach (var instance in CurrentInstances())
        {
            instance.RequestRecycle(StopReason.Quarantine, "the plugin was quarantined");
        }
    }

    private void RecordFailure(string failure) => Volatile.Write(ref _lastFailure, failure);

    private static string Reason(StopReason reason) => reason.ToString().ToLowerInvariant();
}
