using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.HangDumps;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>
/// One configured plugin across its versions: the version that serves (one <see cref="PluginRuntime"/>), during a roll
/// the new version beside it, and old versions still draining. Routes each call by the current
/// <see cref="TrafficSplit"/>, and keeps the plugin's counters whole as versions come and go.
/// </summary>
internal sealed partial class PluginDeployment : IAsyncDisposable
{
    private readonly string _pluginsRoot;
    private readonly LifecycleEventHub _events;
    private readonly HangDiagnostics _diagnostics;
    private readonly SupervisorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DesiredStateStore _state;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();

    // Versions running outside the split: a new version starting, old ones draining. Shown to operators, never routed.
    private readonly List<PluginRuntime> _unrouted = [];
    private TrafficSplit _split;
    private CallCounts _retiredCounts;
    private LatencySnapshot _retiredLatency = LatencySnapshot.Empty;
    private RollingDeployment? _roll;
    private string? _previousVersion;
    private ProcessLauncher? _processes;
    private uint _spread;
    private TaskCompletionSource _splitChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PluginDeployment(string name, PluginOptions options, string pluginsRoot, DesiredStateStore state, LifecycleEventHub events, HangDiagnostics diagnostics, SupervisorMetrics metrics, ILogger logger, TimeProvider time)
    {
        _metrics = metrics;
        Name = name;

        // Owned: a reload and a scale change it in place for every version and instance that reads it.
        Options = options.Clone();
        ConfiguredInstances = options.Instances;
        _pluginsRoot = pluginsRoot;
        _state = state;
        _events = events;
        _diagnostics = diagnostics;
        _logger = logger;
        _time = time;
        Options.Instances = InitialInstances();
        var (version, previous) = InitialVersion();
        _previousVersion = previous;
        _split = new TrafficSplit(CreateRuntime(version));
    }

    public string Name { get; }

    public PluginOptions Options { get; }

    /// <summary>Gets the configuration's <c>Instances</c>; <see cref="Options"/> holds the count in force (an operator's scale wins until this changes).</summary>
    public int ConfiguredInstances { get; private set; }

    /// <summary>Gets the version that takes calls (during a canary, the old one; the new one has a share).</summary>
    public PluginRuntime Active => Volatile.Read(ref _split).Stable;

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Gets whether the plugin has an instance that takes calls.</summary>
    public bool IsReady => Volatile.Read(ref _split).Versions.Any(v => v.Pool.RoutableCount > 0);

    internal LifecycleEventHub Events => _events;

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    /// <summary>Gets a task that completes when calls next move between versions.</summary>
    private Task SplitChanged => Volatile.Read(ref _splitChanged).Task;

    internal CancellationToken Stopping => _stopping.Token;

    public Task StartAsync(ProcessLauncher processes, CancellationToken cancellationToken)
    {
        _processes = processes;
        return Active.StartAsync(processes, cancellationToken);
    }

    /// <summary>Completes once the plugin has an instance that takes calls.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the check: a change after it completes the wait.
            var split = Volatile.Read(ref _split);
            var changes = split.Versions.Select(v => v.Pool.Changed).Append(SplitChanged).ToArray();
            if (IsReady)
            {
                return;
            }

            await Task.WhenAny(changes).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends SIGKILL to one instance of any version, or to every instance when <paramref name="instanceId"/> is empty.</summary>
    public IReadOnlyList<string> Kill(string? instanceId) => [.. Runtimes().SelectMany(r => r.Kill(instanceId))];

    /// <summary>Lifts a quarantine, or recycles every instance of the versions that take calls.</summary>
    public (IReadOnlyList<string> Recycled, bool QuarantineLifted) Restart()
    {
        var recycled = new List<string>();
        var lifted = false;
        foreach (var runtime in Volatile.Read(ref _split).Versions)
        {
            var (ids, wasLifted) = runtime.Restart();
            recycled.AddRange(ids);
            lifted |= wasLifted;
        }

        return (recycled, lifted);
    }

    /// <summary>Every instance of every version still running or starting.</summary>
    public PluginInstance[] SnapshotInstances() => [.. Runtimes().SelectMany(r => r.SnapshotInstances())];

    public PluginInfo Describe()
    {
        var (counts, latency) = Totals();
        var info = PluginDescription.Create(this, SnapshotInstances(), counts, latency);
        info.PreviousVersion = Volatile.Read(ref _previousVersion) ?? string.Empty;
        if (Volatile.Read(ref _roll) is { } roll)
        {
            info.Roll = roll.Status();
        }

        return info;
    }

    /// <summary>Calls and latency since the supervisor started, across every version the plugin has run.</summary>
    internal (CallCounts Counts, LatencySnapshot Latency) Totals()
    {
        var counts = _retiredCounts;
        var latency = _retiredLatency;
        foreach (var runtime in Runtimes())
        {
            counts += runtime.Pool.Counters.Snapshot();
            latency = latency.Plus(runtime.Pool.Latency.Snapshot());
        }

        return (counts, latency);
    }

    /// <summary>Stops every version: a roll in progress ends where it is, in-flight calls get <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(Runtimes().Select(r => r.StopAsync(grace, cancellationToken))).ConfigureAwait(false);
        if (Volatile.Read(ref _roll) is { } roll)
        {
            // The roll saw the stop and is only waiting for the versions stopped above.
            await roll.Completion.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        foreach (var runtime in Runtimes())
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal PluginRuntime CreateRuntime(string version) =>
        new(Name, version, Options, _pluginsRoot, _events, _diagnostics, _metrics, _logger, _time);

    internal string ManifestPath(string version) => PluginManifest.PathOf(_pluginsRoot, Name, version);

    /// <summary>Starts a version outside the split (a roll's new version); it takes no calls until a split names it.</summary>
    internal Task StartUnroutedAsync(PluginRuntime runtime, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _unrouted.Add(runtime);
        }

        return runtime.StartAsync(_processes!, cancellationToken);
    }

    /// <summary>Routes calls by <paramref name="split"/>; versions it no longer names become unrouted (draining).</summary>
    internal void Route(TrafficSplit split)
    {
        lock (_gate)
        {
            var routed = split.Versions;
            _unrouted.RemoveAll(routed.Contains);
            foreach (var runtime in _split.Versions)
            {
                if (!routed.Contains(runtime) && !_unrouted.Contains(runtime))
                {
                    _unrouted.Add(runtime);
                }
            }

            Volatile.Write(ref _split, split);
        }

        Interlocked.Exchange(ref _splitChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Forgets a stopped version, keeping its calls in the plugin's counters.</summary>
    internal async Task RetireAsync(PluginRuntime runtime)
    {
        lock (_gate)
        {
            _unrouted.Remove(runtime);
            _retiredCounts += runtime.Pool.Counters.Snapshot();
            _retiredLatency = _retiredLatency.Plus(runtime.Pool.Latency.Snapshot());
        }

        await runtime.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Makes <paramref name="active"/> the version a restarted supervisor comes back on.</summary>
    /// <returns>Why it could not be persisted, or <see langword="null"/>.</returns>
    internal string? Persist(string active, string previous)
    {
        Volatile.Write(ref _previousVersion, previous);
        try
        {
            _state.Record(Name, new PluginDesiredState(active, previous, Options.Version, _time.GetUtcNow(), _state.Find(Name)?.Scale));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogPersistFailed(_logger, Name, active, _state.Path, ex.Message);
            return $"could not persist the active version to {_state.Path}: {ex.Message}; a restarted supervisor would start {Options.Version}";
        }
    }

    private PluginRuntime[] Runtimes()
    {
        lock (_gate)
        {
            return [.. _split.Versions, .. _unrouted];
        }
    }

    private (string Version, string? Previous) InitialVersion()
    {
        if (_state.Find(Name) is not { } rolled)
        {
            return (Options.Version, null);
        }

        if (!string.Equals(rolled.ConfiguredVersion, Options.Version, StringComparison.Ordinal))
        {
            LogConfigurationWins(_logger, Name, rolled.ActiveVersion, rolled.ConfiguredVersion, Options.Version);
            return (Options.Version, null);
        }

        try
        {
            PluginManifest.Load(ManifestPath(rolled.ActiveVersion));
        }
        catch (InvalidDataException ex)
        {
            LogRolledVersionMissing(_logger, Name, rolled.ActiveVersion, ex.Message, Options.Version);
            return (Options.Version, null);
        }

        if (rolled.ActiveVersion != Options.Version)
        {
            LogStartingRolled(_logger, Name, rolled.ActiveVersion, rolled.UpdatedAt, Options.Version);
        }

        return (rolled.ActiveVersion, rolled.PreviousVersion);
    }
}
