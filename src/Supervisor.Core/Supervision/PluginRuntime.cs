using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.HangDumps;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;
using InstanceState = Supervisor.Instances.InstanceState;

namespace Supervisor.Supervision;

/// <summary>
/// One version of a plugin: keeps <see cref="PluginOptions.Instances"/> processes running, one per slot (each slot's
/// life is a <see cref="SlotSupervisor"/>; slots are added and removed as the plugin is scaled), quarantines a crash loop, carries out operators' kills and restarts, and
/// keeps its <see cref="InstancePool"/> to the instances that take calls. A plugin has one of these per version it
/// runs: one normally, two while it rolls.
/// </summary>
internal sealed partial class PluginRuntime : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SupervisorMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PluginInstance> _slotInstances = [];
    private readonly List<SlotSupervisor> _slots = [];

    // Instances that left their slot but still run: replaced ones serve until their successor is ready, retiring
    // ones drain and are killed. Both are visible to operators; only replaced ones take calls.
    private readonly HashSet<PluginInstance> _replaced = [];
    private readonly HashSet<PluginInstance> _retiring = [];
    private readonly InstanceLauncher _launcher;
    private readonly HangDiagnostics _diagnostics;
    private Quarantine? _quarantine;
    private string _lastFailure = "none recorded";
    private long _lastStartTicks;
    private ProcessLauncher? _processes;
    private readonly List<Task> _slotLoops = [];
    private Task<Task>? _stop;

    public PluginRuntime(string name, string version, PluginOptions options, string pluginsRoot, LifecycleEventHub events, HangDiagnostics diagnostics, SupervisorMetrics metrics, ILogger logger, TimeProvider time)
    {
        Name = name;
        _diagnostics = diagnostics;
        Version = version;
        Options = options;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        Events = new LifecycleEmitter(name, version, events, time);
        Policy = new RestartPolicy(options, time);
        Pool = new InstancePool(name, options, new HangDetector(options, time, _stopping.Token));
        _launcher = new InstanceLauncher(name, version, options, pluginsRoot, Events, logger, time);
        for (var i = 0; i < options.Instances; i++)
        {
            _slots.Add(new SlotSupervisor(this, NextSlotIndex()));
        }
    }

    public string Name { get; }

    public string Version { get; }

    public PluginOptions Options { get; }

    /// <summary>Gets the instances that take calls, with this version's counters and latency.</summary>
    public InstancePool Pool { get; }

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Gets why the plugin is quarantined, or <see langword="null"/>.</summary>
    public string? QuarantineReason => Volatile.Read(ref _quarantine)?.Reason;

    /// <summary>Gets the last start failure, crash or recycle, in words.</summary>
    public string LastFailure => Volatile.Read(ref _lastFailure);

    internal LifecycleEmitter Events { get; }

    internal RestartPolicy Policy { get; }

    internal SupervisorMetrics Metrics => _metrics;

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    internal CancellationToken Stopping => _stopping.Token;

    internal Quarantine? CurrentQuarantine => Volatile.Read(ref _quarantine);

    /// <summary>Starts every slot; completes once each has made its first start attempt (ready or failed).</summary>
    public async Task StartAsync(ProcessLauncher processes, CancellationToken cancellationToken)
    {
        _processes = processes;
        Task[] firstAttempts;
        lock (_gate)
        {
            firstAttempts = [.. _slots.Select(RunSlot)];
        }

        await Task.WhenAll(firstAttempts).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// When this version could next take a call, for a call that finds no routable instance: now while an instance is
    /// starting or about to restart, a slot's scheduled restart plus the last observed start time, or never.
    /// </summary>
    public ReadyOutlook Outlook()
    {
        if (IsStopping)
        {
            return ReadyOutlook.Never($"plugin '{Name}' {Version} is shutting down");
        }

        if (CurrentQuarantine is { } quarantine)
        {
            return ReadyOutlook.Never($"{quarantine.Reason}. It stays quarantined until an operator calls RestartPlugin");
        }

        var now = _time.GetUtcNow();
        var startTime = TimeSpan.FromTicks(Volatile.Read(ref _lastStartTicks));
        DateTimeOffset? earliest = null;
        SlotSupervisor[] slots;
        lock (_gate)
        {
            slots = [.. _slots];
        }

        var parts = new List<string>(slots.Length);
        foreach (var slot in slots)
        {
            var (phase, restartAt, startFailed) = slot.State;

            // A start that just failed will likely fail again: no call is held for it.
            DateTimeOffset? ready = phase switch
            {
                SlotPhase.Starting or SlotPhase.Running => now,
                SlotPhase.BackingOff when !startFailed => restartAt + startTime,
                _ => null,
            };
            parts.Add(phase == SlotPhase.BackingOff
                ? $"slot {slot.Index} restarts in {Math.Max(0, (restartAt - now).TotalMilliseconds):0} ms{(startFailed ? " after a failed start" : string.Empty)}"
                : $"slot {slot.Index} {phase.ToString().ToLowerInvariant()}");
            if (ready is { } r && (earliest is null || r < earliest))
            {
                earliest = r;
            }
        }

        var why = $"plugin '{Name}' {Version} has no ready instance ({string.Join(", ", parts)}; last failure: {LastFailure})";
        return new ReadyOutlook(earliest, why);
    }

    /// <summary>
    /// Stops the version: no new calls or restarts, in-flight calls finish within <paramref name="grace"/>, then each
    /// process is asked to shut down and killed if it is still there.
    /// </summary>
    /// <remarks>Safe to call more than once (shutdown and a roll may both stop a version): the first call does the work.</remarks>
    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var stop = new Task<Task>(() => StopOnceAsync(grace, cancellationToken));
        var first = Interlocked.CompareExchange(ref _stop, stop, null) ?? stop;
        if (first == stop)
        {
            stop.RunSynchronously();
        }

        return first.Unwrap();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Every instance still running or starting: slots, replaced and retiring.</summary>
    internal PluginInstance[] SnapshotInstances()
    {
        lock (_gate)
        {
            return [.. _slotInstances.Values, .. _replaced, .. _retiring];
        }
    }

    internal void RecordFailure(string failure) => Volatile.Write(ref _lastFailure, failure);

    /// <summary>Starts a process for a slot and takes it through the handshake; a failed start's process is killed here.</summary>
    /// <returns>The ready instance, or <see langword="null"/> with whether an operator's kill ended the start.</returns>
    internal async Task<(PluginInstance? Instance, bool KilledByOperator)> LaunchAsync(int slot, int restarts, CancellationToken stopping)
    {
        var launch = await _launcher.LaunchAsync(slot, restarts, _processes!, instance => Register(slot, instance), stopping).ConfigureAwait(false);
        if (launch.Instance is { } ready)
        {
            Publish();
            var startTime = _time.GetUtcNow() - ready.Process.StartedAt;
            Volatile.Write(ref _lastStartTicks, startTime.Ticks);
            Events.Emit(LifecycleEventType.Ready, ready, string.Empty, $"ready in {startTime.TotalMilliseconds:0} ms");
            return (ready, false);
        }

        var failed = launch.FailedInstance;
        if (failed?.StopReason == StopReason.Admin)
        {
            // An operator killed it while it started: reported as that kill, not as the plugin's failure.
            await WaitAtMostAsync(failed.Ended, $"instance {failed.Id} to exit after an operator's kill").ConfigureAwait(false);
            return (null, true);
        }

        if (stopping.IsCancellationRequested && !IsStopping)
        {
            // Its slot was removed by a scale-down while it started: not the plugin's failure.
            if (failed is not null)
            {
                failed.MarkStopping(StopReason.Scale);
                KillNow(failed, StopReason.Scale, "its slot was removed while it started (the plugin was scaled down)");
                await WaitAtMostAsync(failed.Ended, $"instance {failed.Id} to exit after a scale-down").ConfigureAwait(false);
            }

            return (null, false);
        }

        RecordFailure($"start failed: {launch.Failure}");
        Events.Emit(LifecycleEventType.StartFailed, failed, launch.Refused ? "pinned" : "startup", launch.Failure, instanceId: launch.InstanceId);
        if (launch.Refused)
        {
            EnterQuarantine($"plugin '{Name}' {Version} is refused: {launch.Failure}; replace the file or fix the pin, then RestartPlugin", "pinned");
        }
        if (failed is not null)
        {
            using (_logger.BeginScope(failed.Process.LogScope))
            {
                LogNotReady(_logger, launch.Failure);
            }

            failed.MarkStopping(StopReason.Shutdown);
            KillNow(failed, StopReason.Shutdown, launch.Failure, eventReason: "startup");
            await WaitAtMostAsync(failed.Ended, $"instance {failed.Id} to exit after its failed start").ConfigureAwait(false);
        }

        return (null, false);
    }

    /// <summary>Publishes the routable instances to the pool: none while quarantined.</summary>
    internal void Publish()
    {
        lock (_gate)
        {
            Pool.Publish(_quarantine is null ? [.. _slotInstances.Values, .. _replaced] : []);
        }
    }

    private PluginInstance[] CurrentInstances()
    {
        lock (_gate)
        {
            return [.. _slotInstances.Values, .. _replaced];
        }
    }

    private Task Register(int slot, PluginInstance instance)
    {
        lock (_gate)
        {
            _slotInstances[slot] = instance;
        }

        return WatchExitAsync(instance);
    }

    private async Task StopOnceAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var instances = SnapshotInstances();
        foreach (var instance in instances)
        {
            instance.MarkStopping(StopReason.Shutdown);
        }

        Publish();
        var deadline = _time.GetUtcNow() + grace;
        await Task.WhenAll(instances.Select(i => InstanceShutdown.RunAsync(i, deadline, graceful: true, _time, () => ReportKill(i, StopReason.Shutdown, "still running after its shutdown grace"), cancellationToken))).ConfigureAwait(false);
        await WaitAtMostAsync(Task.WhenAll(instances.Select(i => i.Ended)), "plugin processes to be accounted for").ConfigureAwait(false);
        Task[] loops;
        lock (_gate)
        {
            loops = [.. _slotLoops];
        }

        await WaitAtMostAsync(Task.WhenAll(loops), "slot supervisors to finish").ConfigureAwait(false);
    }

    // Shutdown must finish: a process that takes too long to be reaped was already sent SIGKILL, so log and go on.
    private async Task WaitAtMostAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(ExitWait, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopSlow(_logger, Name, what, ExitWait.TotalSeconds);
        }
    }
}
