using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Supervisor.Deployments;
using Supervisor.Diagnostics;
using Supervisor.Instances;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Supervision;

namespace Supervisor.Routing;

/// <summary>
/// Sends one event to a ready instance of a plugin and answers by the deadline, whatever the plugin does.
/// A call that provably never reached a handler is tried on another instance while the deadline allows.
/// </summary>
internal sealed partial class EventRouter
{
    private const int MaxAttempts = 3;

    // Timers and the wall clock disagree by up to a few milliseconds; a cancellation this close to the deadline is the deadline.
    private static readonly TimeSpan DeadlineTolerance = TimeSpan.FromMilliseconds(15);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SupervisorMetrics _metrics;

    public EventRouter(TimeProvider time, ILogger logger, SupervisorMetrics metrics)
    {
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    // Pooled: the state machine of every dispatch would otherwise be a fresh ~600-byte box. Safe because a ValueTask
    // is awaited once, which PluginSupervisor.DispatchAsync documents.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DispatchResponse> DispatchAsync(PluginDeployment plugin, Event pluginEvent, DateTime deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = DispatchActivity.Start(plugin.Name, pluginEvent.Name);
        if (deadline <= _time.GetUtcNow().UtcDateTime)
        {
            var active = plugin.Active;
            active.Counters.Call();
            active.Counters.Timeout();
            throw Refused(activity, started, plugin.Name, active.Version, DispatchError.DeadlineExceeded, $"the deadline of event '{pluginEvent.Name}' had passed before it was dispatched", null);
        }

        // The gRPC deadline is the call's only timer: it ends the call at the deadline, travels to the plugin as
        // grpc-timeout, and a queue wait in the bulkhead gets its own timer only when it happens.
        var request = new HandleEventRequest { Event = pluginEvent };
        PluginInstance? previous = null;
        Exception? lastFailure = null;
        for (var attempt = 1; ; attempt++)
        {
            if ((plugin.Select(previous) ?? plugin.Select(null)) is not var (runtime, instance))
            {
                var active = plugin.Active;
                active.Counters.Call();
                active.Counters.Failure();
                throw Refused(activity, started, plugin.Name, active.Version, DispatchError.Unavailable, NoInstanceMessage(plugin, active), lastFailure);
            }

            instance.Counters.Call();
            var connectionsAtStart = instance.Connections.Take();
            try
            {
                var reply = await instance.HandleEventAsync(request, deadline, cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                runtime.Counters.Call();
                runtime.Latency.Record(elapsed);
                _metrics.Dispatched(plugin.Name, instance.Version, DispatchOutcome.Ok, elapsed);
                DispatchActivity.Answered(activity, instance.Version, instance.Id);
                var response = new DispatchResponse
                {
                    Payload = reply.Payload,
                    ContentType = reply.ContentType,
                    PluginVersion = instance.Version,
                    InstanceId = instance.Id,
                };
                if (reply.Attributes.Count > 0)
                {
                    response.Attributes.Add(reply.Attributes);
                }

                return response;
            }
            catch (Exception ex) when (ex is not DispatchException)
            {
                var deadlineReached = _time.GetUtcNow().UtcDateTime + DeadlineTolerance >= deadline;
                var failure = FailureClassifier.Classify(ex, instance, runtime, pluginEvent.Name, deadlineReached, connectionsAtStart, cancellationToken);
                if (failure.Unreachable)
                {
                    runtime.Unroute(instance);
                }

                if (failure.Retryable && attempt < MaxAttempts && !deadlineReached && !cancellationToken.IsCancellationRequested)
                {
                    LogRetrying(_logger, plugin.Name, instance.Id, failure.Message);
                    previous = instance;
                    lastFailure = ex;
                    continue;
                }

                Count(failure.Error, runtime, instance);
                if (failure.Error == DispatchError.DeadlineExceeded)
                {
                    // A handler still running HangGrace after this deadline makes the instance hung.
                    instance.Monitor?.CheckForHangAfter(deadline);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                if (failure.Error is not (DispatchError.ResourceExhausted or DispatchError.Cancelled))
                {
                    runtime.Latency.Record(elapsed);
                }

                _metrics.Dispatched(plugin.Name, instance.Version, DispatchOutcome.Of(failure.Error), elapsed);
                DispatchActivity.Failed(activity, failure.Error, failure.Message);
                LogFailed(_logger, failure.Error, failure.Message);
                throw new DispatchException(failure.Error, failure.Message, ex);
            }
        }
    }

    // Counted when the call ends, on the version that answered: a canary's analysis compares versions by these.
    private static void Count(DispatchError error, PluginRuntime runtime, PluginInstance instance)
    {
        runtime.Counters.Call();
        switch (error)
        {
            case DispatchError.DeadlineExceeded:
                runtime.Counters.Timeout();
                instance.Counters.Timeout();
                break;
            case DispatchError.Cancelled:
                // The caller gave up: not the plugin's failure.
                break;
            default:
                runtime.Counters.Failure();
                instance.Counters.Failure();
                break;
        }
    }

    // A call no instance took: counted against the active version.
    private DispatchException Refused(Activity? activity, long started, string plugin, string version, DispatchError error, string message, Exception? inner)
    {
        _metrics.Dispatched(plugin, version, DispatchOutcome.Of(error), Stopwatch.GetElapsedTime(started));
        DispatchActivity.Failed(activity, error, message);
        return new DispatchException(error, message, inner);
    }

    private static string NoInstanceMessage(PluginDeployment plugin, PluginRuntime active)
    {
        if (plugin.IsStopping || active.IsStopping)
        {
            return $"plugin '{plugin.Name}' is shutting down";
        }

        if (active.QuarantineReason is { } quarantined)
        {
            return $"{quarantined}. It stays quarantined until an operator calls RestartPlugin";
        }

        var instances = plugin.SnapshotInstances();
        var states = instances.Length == 0 ? "none running" : string.Join(", ", instances.Select(i => $"{i.Id} {i.Version} {i.State.ToString().ToLowerInvariant()}"));
        return $"plugin '{plugin.Name}' has no ready instance ({plugin.Options.Instances} configured; {states}); it is being started again, retry shortly";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying on another instance of {Plugin} after {InstanceId} failed: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string plugin, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatch failed ({Error}): {Reason}")]
    private static partial void LogFailed(ILogger logger, DispatchError error, string reason);
}
