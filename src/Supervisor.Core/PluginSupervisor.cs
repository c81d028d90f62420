using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Diagnostics;
using Supervisor.HangDumps;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Routing;
using Supervisor.Supervision;

namespace Supervisor;

/// <summary>
/// Runs every configured plugin as supervised child processes and routes events to them with deadlines.
/// Embed it to call plugins from .NET in one hop; the <c>supervisor</c> host serves the same engine over gRPC.
/// </summary>
public sealed partial class PluginSupervisor : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ILogger _pluginLogger;
    private readonly TimeProvider _time;
    private readonly DesiredStateStore _state;
    private readonly EventRouter _router;
    private readonly LifecycleEventHub _events;
    private readonly SupervisorMetrics _metrics;
    private readonly HangDiagnostics _diagnostics;
    private ProcessLauncher? _processes;
    private int _stopping;

    // Replaced whole by a reload (under _reconfiguring), read without a lock by every dispatch.
    private SupervisorOptions _options;
    private FrozenDictionary<string, PluginDeployment> _plugins;

    /// <summary>Creates a supervisor; nothing starts until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The configuration, with absolute paths (as <see cref="SupervisorConfiguration.Load"/> returns it).</param>
    /// <param name="loggerFactory">Where the supervisor's and the plugins' log lines go.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="SupervisorConfigurationException">The options are invalid.</exception>
    public PluginSupervisor(SupervisorOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = SupervisorOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new SupervisorConfigurationException(errors);
        }

        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Supervisor");
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new SupervisorMetrics(
            () => PluginGauges.Instances(Plugins.Values),
            () => PluginGauges.InFlight(Plugins.Values),
            () => PluginGauges.Quarantined(Plugins.Values),
            () => PluginGauges.Cpu(Plugins.Values),
            () => PluginGauges.Memory(Plugins.Values));
        _events = new LifecycleEventHub(_metrics.Observe);
        _pluginLogger = _loggerFactory.CreateLogger("Supervisor.Plugins");
        _diagnostics = new HangDiagnostics(new HangDumpStore(Path.Combine(options.StateDirectory, DiagnosticsFolder)), _pluginLogger, _time);
        _state = DesiredStateStore.Open(options.StateDirectory, _loggerFactory.CreateLogger("Supervisor.State"));
        _plugins = PluginsToRun(options, running: null)
            .Select(p => KeyValuePair.Create(p.Key, CreateDeployment(p.Key, p.Value)))
            .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

        _router = new EventRouter(_time, _loggerFactory.CreateLogger("Supervisor.Routing"), _metrics);
    }

    /// <summary>Gets whether the supervisor is shutting down (dispatches fail with <see cref="DispatchError.Unavailable"/>).</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>
    /// Starts every plugin's instances; completes once each has been started once (ready, or failed and scheduled
    /// for a restart).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the instances keep starting.</param>
    /// <returns>A task that completes when every instance has made its first start attempt.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_processes is not null)
        {
            throw new InvalidOperationException("The supervisor has already been started.");
        }

        var sandbox = await ProbeSandboxAsync().ConfigureAwait(false);
        try
        {
            _processes = ProcessLauncher.Create(_options.RuntimeDirectory, sandbox, _loggerFactory.CreateLogger("Supervisor.Plugins"), _time);
        }
        catch
        {
            await sandbox.ReleaseAsync().ConfigureAwait(false);
            throw;
        }

        LogStarting(_logger, Plugins.Count, _processes.Directory.Path);
        await StartInOrderAsync(Plugins, cancellationToken).ConfigureAwait(false);
        SyncAutoRoll();
    }

    /// <summary>Sends an event to a ready instance of <paramref name="plugin"/> and returns its reply.</summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="pluginEvent">The event; an empty <see cref="Event.Id"/> is filled in with a generated one.</param>
    /// <param name="deadline">When the caller stops waiting (UTC); the plugin's configured <c>Deadline</c> from now when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The plugin's reply, with the version and instance that produced it. Await it once (or call
    /// <see cref="ValueTask{TResult}.AsTask"/> once): its state is pooled and reused by later dispatches.
    /// </returns>
    /// <exception cref="DispatchException">
    /// The event got no reply; <see cref="DispatchException.Error"/> says why (<see cref="DispatchError.ResourceExhausted"/>
    /// at once for a payload over the plugin's <see cref="PluginOptions.MaxPayloadBytes"/>).
    /// </exception>
    public ValueTask<DispatchResponse> DispatchAsync(string plugin, Event pluginEvent, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(plugin))
        {
            throw new DispatchException(DispatchError.InvalidArgument, "the request names no plugin");
        }

        if (pluginEvent is null || string.IsNullOrEmpty(pluginEvent.Name))
        {
            throw new DispatchException(DispatchError.InvalidArgument, "the request carries no event name (event.name, e.g. \"customer.created\")");
        }

        if (!Plugins.TryGetValue(plugin, out var deployment))
        {
            throw new DispatchException(DispatchError.NotFound, UnknownPluginMessage(plugin));
        }

        if (IsStopping)
        {
            throw new DispatchException(DispatchError.Unavailable, "the supervisor is shutting down and takes no new events");
        }

        if (pluginEvent.Payload.Length > deployment.Options.MaxPayloadBytes)
        {
            throw new DispatchException(DispatchError.ResourceExhausted, PayloadTooLargeMessage(deployment.Name, pluginEvent.Payload.Length, deployment.Options.MaxPayloadBytes));
        }

        if (pluginEvent.Id.Length == 0)
        {
            pluginEvent.Id = Guid.CreateVersion7().ToString("N");
        }

        var effectiveDeadline = deadline ?? _time.GetUtcNow().UtcDateTime + deployment.Options.Deadline;
        return _router.DispatchAsync(deployment, pluginEvent, effectiveDeadline, cancellationToken);
    }

    /// <summary>Describes every plugin: state, instances, counters and latency.</summary>
    /// <returns>One entry per configured plugin, ordered by name.</returns>
    public IReadOnlyList<PluginInfo> ListPlugins() =>
        [.. Plugins.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Describe())];

    /// <summary>Describes one plugin.</summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <returns>The plugin's state, instances, counters and latency.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    public PluginInfo GetPlugin(string plugin) => Find(plugin).Describe();

    /// <summary>Sends SIGKILL to an instance now (every instance of the plugin when <paramref name="instanceId"/> is empty); replacements are started.</summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="instanceId">The instance to kill, or empty for all.</param>
    /// <returns>The ids of the instances killed.</returns>
    /// <exception cref="KeyNotFoundException">No such plugin, or no running instance with that id.</exception>
    public IReadOnlyList<string> KillInstance(string plugin, string? instanceId = null)
    {
        var deployment = Find(plugin);
        var killed = deployment.Kill(instanceId);
        if (killed.Count == 0 && !string.IsNullOrEmpty(instanceId))
        {
            var running = string.Join(", ", deployment.SnapshotInstances().Select(i => i.Id));
            throw new KeyNotFoundException($"plugin '{plugin}' has no running instance '{instanceId}' (running: {(running.Length == 0 ? "none" : running)})");
        }

        return killed;
    }

    /// <summary>
    /// Recycles every instance of <paramref name="plugin"/> gracefully (a new process first, then the old one drains),
    /// or, when the plugin is quarantined, lifts the quarantine and starts it again.
    /// </summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <returns>The instances being replaced, and whether a quarantine was lifted.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    public (IReadOnlyList<string> RecycledInstanceIds, bool QuarantineLifted) RestartPlugin(string plugin) => Find(plugin).Restart();

    /// <summary>
    /// Rolls <paramref name="plugin"/> to <paramref name="version"/> without stopping traffic: the new version's instances
    /// start, calls move to them (at once, or in the plugin's canary steps, each analysed), then the old instances drain.
    /// The new version is persisted as active in <see cref="SupervisorOptions.StateDirectory"/>.
    /// </summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="version">A folder under <c>PluginsRoot/&lt;plugin&gt;/</c> holding <c>plugin.json</c>.</param>
    /// <param name="strategy">Immediate (the default) or canary.</param>
    /// <param name="wait">
    /// <see langword="false"/>: complete once the new instances are ready and calls start to move; <see langword="true"/>:
    /// once the roll has completed, drain included.
    /// </param>
    /// <param name="cancellationToken">Stops waiting; the roll goes on.</param>
    /// <returns>The roll's status, or a no-op answer when the plugin already runs <paramref name="version"/>.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    /// <exception cref="RollException">The roll was refused, its new version did not start, or (waiting) it aborted.</exception>
    public Task<RollPluginResponse> RollPluginAsync(string plugin, string version, RollStrategy strategy = RollStrategy.Immediate, bool wait = false, CancellationToken cancellationToken = default) =>
        Find(plugin).RollAsync(version, strategy, wait, cancellationToken);

    /// <summary>
    /// Returns <paramref name="plugin"/> to its previous version: aborts a roll that is starting or shifting, otherwise
    /// rolls to the previous version at once.
    /// </summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="wait">As for <see cref="RollPluginAsync"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the rollback goes on.</param>
    /// <returns>The aborted roll's status, or the rollback roll's.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    /// <exception cref="RollException">There is no previous version, or the rollback did not complete.</exception>
    public Task<RollPluginResponse> RollbackPluginAsync(string plugin, bool wait = false, CancellationToken cancellationToken = default) =>
        Find(plugin).RollbackAsync(wait, cancellationToken);

    /// <summary>Streams lifecycle events (started, ready, exited, killed, restart scheduled, quarantined, …) as they happen.</summary>
    /// <param name="plugin">Only this plugin's events; empty or <see langword="null"/> for every plugin.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>
    /// The events published from this call on (the subscription starts here, not at the first read, and ends with the
    /// enumeration); a watcher that falls more than 1024 events behind loses the oldest.
    /// </returns>
    /// <exception cref="KeyNotFoundException">A plugin was named, but none by that name is configured.</exception>
    public IAsyncEnumerable<LifecycleEvent> WatchEventsAsync(string? plugin = null, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(plugin) && !Plugins.ContainsKey(plugin))
        {
            throw new KeyNotFoundException(UnknownPluginMessage(plugin));
        }

        return _events.Watch(plugin ?? string.Empty, cancellationToken);
    }

    /// <summary>The latest stack dump of a hung instance of <paramref name="plugin"/>, kept in <c>StateDirectory/diagnostics/</c>.</summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="instanceId">Only this instance's dump; empty or <see langword="null"/> for the latest of any instance.</param>
    /// <returns>The dump, or <see langword="null"/> when none is kept.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    public HangDump? GetHangDump(string plugin, string? instanceId = null) =>
        _diagnostics.Store.Latest(Find(plugin).Name, instanceId ?? string.Empty);

    /// <summary>
    /// Stops taking events, lets in-flight calls finish within <see cref="SupervisorOptions.ShutdownTimeout"/>, asks
    /// every plugin to shut down and kills what is left. No plugin process outlives this call.
    /// </summary>
    /// <param name="cancellationToken">Skips the grace: every process is killed at once.</param>
    /// <returns>A task that completes when every plugin process has exited.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        var options = Volatile.Read(ref _options);
        LogStopping(_logger, options.ShutdownTimeout.TotalMilliseconds);

        // A reload still applying finishes first: it may be starting or removing plugins.
        await _reconfiguring.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        await StopAutoRollAsync().ConfigureAwait(false);
        await StopInOrderAsync(Plugins, options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(RemovalsInProgress()).ConfigureAwait(false);
        if (_processes is not null)
        {
            await _processes.DisposeAsync().ConfigureAwait(false);
        }
        _events.Complete();
        LogStopped(_logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var deployment in Plugins.Values)
        {
            await deployment.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
        _reconfiguring.Dispose();
    }

    /// <summary>Each plugin's call count and latency histogram since start, for views that chart them over time.</summary>
    internal IEnumerable<(string Plugin, long Calls, LatencySnapshot Latency)> SampleTotals()
    {
        foreach (var deployment in Plugins.Values)
        {
            var (counts, latency) = deployment.Totals();
            yield return (deployment.Name, counts.Calls, latency);
        }
    }

    /// <summary>The folder under <see cref="SupervisorOptions.StateDirectory"/> that keeps hang dumps.</summary>
    internal const string DiagnosticsFolder = "diagnostics";

    private FrozenDictionary<string, PluginDeployment> Plugins => Volatile.Read(ref _plugins);

    private PluginDeployment Find(string plugin) =>
        Plugins.TryGetValue(plugin, out var deployment) ? deployment : throw new KeyNotFoundException(UnknownPluginMessage(plugin));

    private PluginDeployment CreateDeployment(string name, PluginOptions options) =>
        new(name, options, _options.PluginsRoot, _state, _events, _diagnostics, _metrics, _pluginLogger, _time);

    private static string PayloadTooLargeMessage(string plugin, int size, int limit) =>
        $"the event's payload is {size} bytes, over plugin '{plugin}'s limit of {limit} bytes ({SupervisorOptions.SectionName}:Plugins:{plugin}:MaxPayloadBytes)";

    private string UnknownPluginMessage(string plugin) =>
        $"no plugin named '{plugin}' is configured (configured: {string.Join(", ", Plugins.Keys.Order(StringComparer.Ordinal))})";

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {PluginCount} plugin(s); sockets in {RuntimeDirectory}")]
    private static partial void LogStarting(ILogger logger, int pluginCount, string runtimeDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: in-flight calls get up to {GraceMs} ms, then plugins are stopped")]
    private static partial void LogStopping(ILogger logger, double graceMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every plugin process has exited")]
    private static partial void LogStopped(ILogger logger);
}
