using Google.Protobuf.WellKnownTypes;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>
/// One roll of a plugin from one version to another: start the new version's instances (any not ready aborts the roll
/// and the old version serves on untouched), move calls to it (at once, or in canary steps each judged by
/// <see cref="CanaryJudge"/>), persist it as active, then drain the old instances.
/// </summary>
internal sealed partial class RollingDeployment
{
    private readonly PluginDeployment _deployment;
    private readonly CancellationTokenSource _abort;
    private readonly TaskCompletionSource _rerouted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _startedAt;
    private RollPhase _phase = RollPhase.Starting;
    private int _weight;
    private int _step;
    private CanaryAnalysis? _lastAnalysis;
    private string _reason = string.Empty;
    private DateTimeOffset? _endedAt;
    private string? _abortReason;

    public RollingDeployment(PluginDeployment deployment, string from, string to, RollStrategy strategy, bool rollback)
    {
        _deployment = deployment;
        From = from;
        To = to;
        Strategy = strategy;
        IsRollback = rollback;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(deployment.Stopping);
        _startedAt = deployment.Time.GetUtcNow();
    }

    public string From { get; }

    public string To { get; }

    public RollStrategy Strategy { get; }

    public bool IsRollback { get; }

    /// <summary>Gets whether the roll ended because its new version did not start.</summary>
    public bool StartFailed { get; private set; }

    /// <summary>Completes when the roll has completed or aborted, drains included.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Completes when calls start moving to the new version, or when the roll aborted and calls are back on the old.</summary>
    public Task Rerouted => _rerouted.Task;

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _phase is RollPhase.Starting or RollPhase.Shifting or RollPhase.Draining;
            }
        }
    }

    private int Steps => Strategy == RollStrategy.Canary ? _deployment.Options.Canary.EffectiveSteps.Count : 0;

    public void Start()
    {
        // The roll and the processes it starts outlive the admin call that began it: their log lines must not carry
        // that request's logging scope, so the call's execution context does not flow into them.
        using (ExecutionContext.SuppressFlow())
        {
            Completion = Task.Run(RunAsync, CancellationToken.None);
        }
    }

    /// <summary>Aborts a roll that is starting or shifting; one that is draining or over is past turning back.</summary>
    /// <returns>Whether this call aborted the roll.</returns>
    public bool Abort(string reason)
    {
        lock (_gate)
        {
            if (_phase is not (RollPhase.Starting or RollPhase.Shifting) || _abortReason is not null)
            {
                return false;
            }

            _abortReason = reason;

            // Under the lock: the roll disposes the source under the same lock when it ends.
            _abort.Cancel();
        }

        return true;
    }

    public RollStatus Status()
    {
        lock (_gate)
        {
            var status = new RollStatus
            {
                FromVersion = From,
                ToVersion = To,
                Strategy = Strategy,
                Phase = _phase,
                WeightPercent = (uint)_weight,
                Step = (uint)_step,
                Steps = (uint)Steps,
                StartedAt = Timestamp.FromDateTimeOffset(_startedAt),
                Reason = _reason,
                Rollback = IsRollback,
            };
            if (_endedAt is { } ended)
            {
                status.EndedAt = Timestamp.FromDateTimeOffset(ended);
            }

            if (_lastAnalysis is not null)
            {
                status.LastAnalysis = _lastAnalysis;
            }

            return status;
        }
    }

    /// <summary>The phase in words, e.g. "canary step 1 of 2, 10% of calls".</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return _phase switch
            {
                RollPhase.Starting => $"starting {To}",
                RollPhase.Shifting when Strategy == RollStrategy.Canary => $"canary step {_step} of {Steps}, {_weight}% of calls on {To}",
                RollPhase.Shifting => $"moving calls to {To}",
                RollPhase.Draining => $"every call on {To}, {From} draining",
                RollPhase.Completed => "completed",
                _ => $"aborted: {_reason}",
            };
        }
    }

    private async Task RunAsync()
    {
        var old = _deployment.Active;
        var candidate = _deployment.CreateRuntime(To);
        Emit(LifecycleEventType.RollStarted, $"{Verb} '{_deployment.Name}' from {From} to {To} ({StrategyName}); starting {_deployment.Options.Instances} instance(s) of {To}");
        LogRollStarted(_deployment.Logger, _deployment.Name, From, To, StrategyName);
        try
        {
            if (!await StartCandidateAsync(candidate).ConfigureAwait(false))
            {
                return;
            }

            if (!await ShiftAsync(old, candidate).ConfigureAwait(false))
            {
                return;
            }

            await DrainAsync(old).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever broke, calls must end up on a version that runs and the roll must end.
            LogRollFailed(_deployment.Logger, ex, _deployment.Name, To);
            if (_deployment.Active != old && !_deployment.IsStopping)
            {
                SetPhase(RollPhase.Completed);
                return;
            }

            _deployment.Route(new TrafficSplit(old));
            await EndAbortedAsync(candidate, $"unexpected {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _abort.Dispose();
            }
        }
    }

    private async Task<bool> StartCandidateAsync(PluginRuntime candidate)
    {
        var token = _abort.Token;
        try
        {
            await _deployment.StartUnroutedAsync(candidate, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await EndAbortedAsync(candidate, AbortReason()).ConfigureAwait(false);
            return false;
        }

        var ready = candidate.Pool.RoutableCount;
        if (ready < _deployment.Options.Instances || token.IsCancellationRequested)
        {
            StartFailed = !token.IsCancellationRequested;
            var reason = StartFailed
                ? $"{ready} of {_deployment.Options.Instances} instance(s) of {To} became ready: {candidate.LastFailure}"
                : AbortReason();
            await EndAbortedAsync(candidate, reason).ConfigureAwait(false);
            return false;
        }

        Emit(LifecycleEventType.RollVersionReady, $"{ready} instance(s) of {To} ready");
        LogVersionReady(_deployment.Logger, _deployment.Name, To, ready);
        return true;
    }

    private async Task<bool> ShiftAsync(PluginRuntime old, PluginRuntime candidate)
    {
        SetPhase(RollPhase.Shifting);
        if (Strategy == RollStrategy.Canary)
        {
            var steps = _deployment.Options.Canary.EffectiveSteps;
            for (var i = 0; i < steps.Count; i++)
            {
                if (!await RunCanaryStepAsync(old, candidate, i + 1, steps[i]).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }

        // Past this point the roll no longer turns back: an abort that arrived first still wins.
        lock (_gate)
        {
            if (_abortReason is null)
            {
                _phase = RollPhase.Draining;
                _weight = 100;
            }
        }

        if (_abortReason is not null)
        {
            _deployment.Route(new TrafficSplit(old));
            await EndAbortedAsync(candidate, AbortReason()).ConfigureAwait(false);
            return false;
        }

        // Persist before calls move: a supervisor that dies from here on comes back on the new version.
        var persistProblem = _deployment.Persist(To, From);
        _deployment.Route(new TrafficSplit(candidate));
        _rerouted.TrySetResult();
        Emit(LifecycleEventType.RollWeightChanged, $"every call goes to {To}" + (persistProblem is null ? string.Empty : $"; {persistProblem}"));
        LogWeight(_deployment.Logger, _deployment.Name, To, 100);
        return true;
    }

    private async Task<bool> RunCanaryStepAsync(PluginRuntime old, PluginRuntime candidate, int step, int weight)
    {
        var canary = _deployment.Options.Canary;
        var candidateStart = Sample(candidate);
        var baselineStart = Sample(old);
        _deployment.Route(new TrafficSplit(old, candidate, weight));
        lock (_gate)
        {
            _step = step;
            _weight = weight;
        }

        _rerouted.TrySetResult();
        Emit(LifecycleEventType.RollWeightChanged, $"canary step {step} of {Steps}: {weight}% of calls go to {To} for {canary.Interval.TotalSeconds:0.###} s");
        LogWeight(_deployment.Logger, _deployment.Name, To, weight);
        try
        {
            await Task.Delay(canary.Interval, _deployment.Time, _abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _deployment.Route(new TrafficSplit(old));
            await EndAbortedAsync(candidate, AbortReason()).ConfigureAwait(false);
            return false;
        }

        var candidateStep = Since(candidate, candidateStart);
        var baselineStep = Since(old, baselineStart);
        var notReady = candidate.QuarantineReason is { } quarantined ? $"{To} was quarantined: {quarantined}"
            : candidate.Pool.RoutableCount < _deployment.Options.Instances ? $"only {candidate.Pool.RoutableCount} of {_deployment.Options.Instances} instance(s) of {To} are ready (last failure: {candidate.LastFailure})"
            : null;
        var analysis = CanaryJudge.Judge(canary, To, candidateStep, From, baselineStep, notReady);
        lock (_gate)
        {
            _lastAnalysis = analysis;
        }

        Emit(LifecycleEventType.RollAnalysis, $"canary step {step} of {Steps} {analysis.Summary}");
        LogAnalysis(_deployment.Logger, _deployment.Name, step, analysis.Summary);
        if (analysis.Passed)
        {
            return true;
        }

        _deployment.Route(new TrafficSplit(old));
        await EndAbortedAsync(candidate, $"canary analysis of step {step} {analysis.Summary}").ConfigureAwait(false);
        return false;
    }

    private async Task DrainAsync(PluginRuntime old)
    {
        // A shutdown during the drain cuts it short: the supervisor's ShutdownTimeout is the promise that holds then.
        await old.StopAsync(_deployment.Options.DrainTimeout, _deployment.Stopping).ConfigureAwait(false);
        await _deployment.RetireAsync(old).ConfigureAwait(false);
        Emit(LifecycleEventType.RollOldDrained, $"{From} drained and stopped");
        LogDrained(_deployment.Logger, _deployment.Name, From);
        SetPhase(RollPhase.Completed);
        Emit(LifecycleEventType.RollCompleted, $"'{_deployment.Name}' is on {To}");
        LogCompleted(_deployment.Logger, _deployment.Name, From, To);
    }

    /// <summary>Calls are back on the old version: mark the roll aborted, then drain and stop the new version.</summary>
    private async Task EndAbortedAsync(PluginRuntime candidate, string reason)
    {
        lock (_gate)
        {
            _phase = RollPhase.Aborted;
            _reason = reason;
            _weight = 0;
            _endedAt = _deployment.Time.GetUtcNow();
        }

        _rerouted.TrySetResult();
        Emit(LifecycleEventType.RollAborted, $"roll to {To} aborted: {reason}; {From} serves every call");
        LogAborted(_deployment.Logger, _deployment.Name, To, reason, From);
        await candidate.StopAsync(_deployment.Options.DrainTimeout, _deployment.Stopping).ConfigureAwait(false);
        await _deployment.RetireAsync(candidate).ConfigureAwait(false);
    }

    private string AbortReason() =>
        Volatile.Read(ref _abortReason) ?? (_deployment.IsStopping ? "the supervisor is shutting down" : "cancelled");

    private void SetPhase(RollPhase phase)
    {
        lock (_gate)
        {
            _phase = phase;
            if (phase is RollPhase.Completed or RollPhase.Aborted)
            {
                _endedAt = _deployment.Time.GetUtcNow();
            }
        }
    }

    private string Verb => IsRollback ? "rolling back" : "rolling";

    private string StrategyName => Strategy == RollStrategy.Canary ? "canary" : "immediate";

    private static StepSample Sample(PluginRuntime runtime) => new(runtime.Pool.Counters.Snapshot(), runtime.Pool.Latency.Snapshot());

    private static StepSample Since(PluginRuntime runtime, StepSample start) =>
        new(runtime.Pool.Counters.Snapshot() - start.Counts, runtime.Pool.Latency.Snapshot().Since(start.Latency));

    private void Emit(LifecycleEventType type, string message)
    {
        var status = Status();
        _deployment.Events.Publish(new LifecycleEvent
        {
            Time = Timestamp.FromDateTimeOffset(_deployment.Time.GetUtcNow()),
            Type = type,
            Plugin = _deployment.Name,
            Version = To,
            Reason = type == LifecycleEventType.RollAborted ? status.Reason : string.Empty,
            Message = message,
            Roll = status,
        });
    }
}
