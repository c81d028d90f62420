using System.Diagnostics;
using System.Diagnostics.Metrics;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Diagnostics;

/// <summary>
/// The supervisor's instruments, named after the OpenTelemetry semantic conventions (dotted lower-case names, UCUM
/// units, seconds for durations). Dispatches are recorded on the call path; kills and roll steps are read off the
/// lifecycle events; instances, in-flight calls and quarantines are observed when a reader collects, so they cost
/// the call path nothing.
/// </summary>
internal sealed class SupervisorMetrics : IDisposable
{
    // Explicit buckets from 100 µs (the floor of a local call) to the longest sensible deadline.
    private static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly Counter<long> _dispatches;
    private readonly Histogram<double> _dispatchDuration;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _kills;
    private readonly Counter<long> _rollSteps;

    /// <param name="instances">Plugin processes, by plugin, version and state.</param>
    /// <param name="inFlight">Calls in flight, by plugin.</param>
    /// <param name="quarantined">1 or 0, by plugin.</param>
    /// <param name="cpu">CPU seconds per running instance, counting its descendants.</param>
    /// <param name="memory">Memory bytes per running instance, counting its descendants.</param>
    public SupervisorMetrics(
        Func<IEnumerable<Measurement<long>>> instances,
        Func<IEnumerable<Measurement<long>>> inFlight,
        Func<IEnumerable<Measurement<long>>> quarantined,
        Func<IEnumerable<Measurement<double>>> cpu,
        Func<IEnumerable<Measurement<long>>> memory)
    {
        _meter = new Meter(SupervisorTelemetry.MeterName, typeof(SupervisorMetrics).Assembly.GetName().Version?.ToString(3));
        _dispatches = _meter.CreateCounter<long>("supervisor.dispatches", "{dispatch}", "Events dispatched to a plugin, by the version that answered and the outcome.");
        _dispatchDuration = _meter.CreateHistogram("supervisor.dispatch.duration", "s", "Time from dispatch to the plugin's answer (or the failure).", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _restarts = _meter.CreateCounter<long>("supervisor.instance.restarts", "{restart}", "Plugin processes started again, by why the previous one ended.");
        _kills = _meter.CreateCounter<long>("supervisor.instance.kills", "{kill}", "Plugin processes killed by the supervisor, by reason.");
        _rollSteps = _meter.CreateCounter<long>("supervisor.roll.steps", "{step}", "Steps of version rolls: started, version_ready, weight_changed, analysis, old_drained, completed, aborted.");
        _meter.CreateObservableUpDownCounter("supervisor.instances", instances, "{instance}", "Plugin processes, by version and state.");
        _meter.CreateObservableUpDownCounter("supervisor.dispatch.active", inFlight, "{dispatch}", "Calls in flight in plugin processes.");
        _meter.CreateObservableUpDownCounter("supervisor.plugin.quarantined", quarantined, "{plugin}", "1 while a plugin is quarantined after too many restarts.");
        _meter.CreateObservableCounter("supervisor.instance.cpu.time", cpu, "s", "CPU time of each running plugin instance and everything it started, user and system.");
        _meter.CreateObservableUpDownCounter("supervisor.instance.memory.usage", memory, "By", "Memory in use by each running plugin instance and everything it started.");
    }

    /// <summary>Records one answered dispatch; <paramref name="outcome"/> is <c>ok</c> or a <c>DispatchOutcome</c> name.</summary>
    public void Dispatched(string plugin, string version, string outcome, TimeSpan elapsed)
    {
        if (!_dispatches.Enabled && !_dispatchDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "plugin.name", plugin },
            { "plugin.version", version },
            { "dispatch.outcome", outcome },
        };
        _dispatches.Add(1, tags);
        _dispatchDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void Restarted(string plugin, string version, string reason) =>
        _restarts.Add(1, new KeyValuePair<string, object?>("plugin.name", plugin), new("plugin.version", version), new("reason", reason));

    /// <summary>Counts what the lifecycle events say: kills and roll steps.</summary>
    public void Observe(LifecycleEvent lifecycleEvent)
    {
        switch (lifecycleEvent.Type)
        {
            case LifecycleEventType.Killed:
                _kills.Add(1, new KeyValuePair<string, object?>("plugin.name", lifecycleEvent.Plugin), new("plugin.version", lifecycleEvent.Version), new("reason", lifecycleEvent.Reason));
                break;
            case >= LifecycleEventType.RollStarted and <= LifecycleEventType.RollAborted:
                _rollSteps.Add(1, new KeyValuePair<string, object?>("plugin.name", lifecycleEvent.Plugin), new("roll.step", RollStep(lifecycleEvent.Type)), new("roll.strategy", Strategy(lifecycleEvent.Roll)));
                break;
        }
    }

    public void Dispose() => _meter.Dispose();

    private static string RollStep(LifecycleEventType type) => type switch
    {
        LifecycleEventType.RollStarted => "started",
        LifecycleEventType.RollVersionReady => "version_ready",
        LifecycleEventType.RollWeightChanged => "weight_changed",
        LifecycleEventType.RollAnalysis => "analysis",
        LifecycleEventType.RollOldDrained => "old_drained",
        LifecycleEventType.RollCompleted => "completed",
        _ => "aborted",
    };

    private static string Strategy(RollStatus? roll) => roll?.Strategy == RollStrategy.Canary ? "canary" : "immediate";
}
