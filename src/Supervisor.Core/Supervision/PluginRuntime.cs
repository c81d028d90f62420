using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;
using InstanceState = Supervisor.Instances.InstanceState;

namespace Supervisor.Supervision;

/// <summary>
/// One version of a plugin: keeps <see cref="PluginOptions.Instances"/> processes running, one per slot, restarts
/// them by its <see cref="RestartPolicy"/>, replaces hung and oversized ones, quarantines a crash loop, and
/// publishes the routable instances to the router as an immutable array (read lock-free on every call).
/// A plugin has one of these per version it runs: one normally, two while it rolls (see <c>PluginDeployment</c>).
/// </summary>
internal sealed partial class PluginRuntime : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);
    private readonly PluginOptions _options;
    private readonly string _pluginsRoot;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LifecycleEventHub _events;
    private readonly SupervisorMetrics _metrics;
    private readonly RestartPolicy _policy;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly PluginInstance?[] _slots;

    // Instances that left their slot but still run: replaced ones serve until their successor is ready, retiring
    // ones drain and are killed. Both are visible to operators; only replaced ones take calls.
    private readonly HashSet<PluginInstance> _replaced = [];
    private readonly HashSet<PluginInstance> _retiring = [];
    private PluginInstance[] _routable = [];
    private Quarantine? _quarantine;
    private string _lastFailure = "none recorded";
    private RuntimeDirectory? _runtimeDirectory;
    private Task[] _slotLoops = [];
    private uint _rotation;

    private Task<Task>? _stop;

    public PluginRuntime(string name, string version, PluginOptions options, string pluginsRoot, LifecycleEventHub events, SupervisorMetrics metrics, ILogger logger, TimeProvider time)
    {
        _metrics = metrics;
        Name = name;
        Version = version;
        _options = options;
        _pluginsRoot = pluginsRoot;
        _events = events;
        _logger = logger;
        _time = time;
        _policy = new RestartPolicy(options, time);
        _slots = new PluginInstance?[options.Instances];
    }

    public string Name { get; }

    public string Version { get; }

    public PluginOptions Options => _options;

    /// <summary>Gets the calls answered by this version's instances.</summary>
    public CallCounters Counters { get; } = new();

    /// <summary>Gets the latency of calls answered by this version's instances.</summary>
    public LatencyHistogram Latency { get; } = new();

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Gets why the plugin is quarantined, or <see langword="null"/>.</summary>
    public string? QuarantineReason => Volatile.Read(ref _quarantine)?.Reason;

    /// <summary>Gets how many instances take calls now.</summary>
    public int RoutableCount => Volatile.Read(ref _routable).Length;

    /// <summary>Gets the last start failure, crash or recycle, in words.</summary>
    public string LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Starts every slot; completes once each has made its first start attempt (ready or failed).</summary>
    public async Task StartAsync(RuntimeDirectory runtimeDirectory, CancellationToken cancellationToken)
    {
        _runtimeDirectory = runtimeDirectory;
        var firstAttempts = new Task[_slots.Length];
        var loops = new Task[_slots.Length];
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            firstAttempts[slot] = firstAttempt.Task;
            var slotIndex = slot;
            loops[slot] = Task.Run(() => RunSlotAsync(slotIndex, firstAttempt), CancellationToken.None);
        }

        _slotLoops = loops;
        await Task.WhenAll(firstAttempts).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Picks the routable instance with the fewest calls in flight, rotating among equals.</summary>
    public PluginInstance? Select(PluginInstance? exclude)
    {
        var routable = Volatile.Read(ref _routable);
        var count = routable.Length;
        if (count == 0)
        {
            return null;
        }

        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)count);
        PluginInstance? best = null;
        for (var i = 0; i < count; i++)
        {
            var candidate = routable[(start + i) % count];
            if (candidate == exclude || !candidate.IsRoutable)
            {
                continue;
            }

            if (best is null || candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Stops routing to an instance that refused a connection; its exit is handled when it is observed.</summary>
    public void Unroute(PluginInstance instance)
    {
        instance.MarkUnreachable();
        Publish();
    }

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
            _policy.Reset();
            Emit(LifecycleEventType.QuarantineLifted, null, "admin", $"an operator lifted the quarantine ({lifted.Reason})");
            LogQuarantineLifted(_logger, Name);
            lifted.Lifted.TrySetResult();
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

    /// <summary>
    /// Stops the plugin: no new calls or restarts, in-flight calls finish within <paramref name="grace"/>, then each
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
        await WaitAtMostAsync(Task.WhenAll(_slotLoops), "slot supervisors to finish").ConfigureAwait(false);
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
            return [.. _slots.OfType<PluginInstance>(), .. _replaced, .. _retiring];
        }
    }

    private PluginInstance[] CurrentInstances()
    {
        lock (_gate)
        {
            return [.. _slots.OfType<PluginInstance>(), .. _replaced];
        }
    }

    private void Publish()
    {
        lock (_gate)
        {
            var routable = new List<PluginInstance>(_slots.Length + _replaced.Count);
            if (_quarantine is null)
            {
                foreach (var instance in _slots)
                {
                    if (instance is { IsRoutable: true })
                    {
                        routable.Add(instance);
                    }
                }

                routable.AddRange(_replaced.Where(i => i.IsRoutable));
            }

            Volatile.Write(ref _routable, [.. routable]);
        }
    }

    private sealed record Quarantine(string Reason)
    {
        public TaskCompletionSource Lifted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
