using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Supervisor.Deployments;
using Supervisor.Diagnostics;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Supervision;

namespace Supervisor.Routing;

/// <summary>
/// Sends one event to a plugin and answers by the deadline, whatever the plugin does. Each attempt leases an
/// instance and reports through the lease how it ended; a call that provably never reached a handler is tried on
/// another instance while the deadline allows.
/// </summary>
internal sealed partial class EventRouter
{
    private const int MaxAttempts = 3;

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
    public async ValueTask<DispatchResponse> DispatchAsync(IDispatchTarget plugin, Event pluginEvent, DateTime deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = DispatchActivity.Start(plugin.Name, pluginEvent.Name);

        // The gRPC deadline is the call's only timer: it ends the call at the deadline, travels to the plugin as
        // grpc-timeout, and a wait for an instance or in a bulkhead's queue gets its own timer only when it happens.
        var request = new HandleEventRequest { Event = pluginEvent };
        string? previous = null;
        for (var attempt = 1; ; attempt++)
        {
            ICallLease lease;
            try
            {
                lease = await plugin.AcquireAsync(previous, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (CallRefusedException ex)
            {
                throw Refused(activity, started, plugin, ErrorOf(ex.Refusal), ex.Message, ex);
            }
            catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw Refused(activity, started, plugin, DispatchError.Cancelled, "the caller cancelled the call", ex);
            }

            try
            {
                var reply = await lease.HandleEventAsync(request, deadline, cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                lease.Complete(CallOutcome.Succeeded, unreachable: false, deadline, elapsed);
                _metrics.Dispatched(plugin.Name, lease.Version, DispatchOutcome.Ok, elapsed);
                DispatchActivity.Answered(activity, lease.Version, lease.InstanceId);
                var response = new DispatchResponse
                {
                    Payload = reply.Payload,
                    ContentType = reply.ContentType,
                    PluginVersion = lease.Version,
                    InstanceId = lease.InstanceId,
                };
                if (reply.Attributes.Count > 0)
                {
                    response.Attributes.Add(reply.Attributes);
                }

                return response;
            }
            catch (Exception ex)
            {
                var deadlineReached = Deadline.Reached(deadline, _time);
                var failure = FailureClassifier.Classify(ex, new FailureContext(lease.Who, pluginEvent.Name, lease.Idempotent, deadlineReached, cancellationToken.IsCancellationRequested, lease.NothingCarried, lease.Exit));
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (failure.Retryable && attempt < MaxAttempts && !deadlineReached && !cancellationToken.IsCancellationRequested)
                {
                    lease.Complete(CallOutcome.Retried, failure.Unreachable, deadline, elapsed);
                    LogRetrying(_logger, plugin.Name, lease.InstanceId, failure.Message);
                    previous = lease.InstanceId;
                    continue;
                }

                lease.Complete(OutcomeOf(failure.Error), failure.Unreachable, deadline, elapsed);
                _metrics.Dispatched(plugin.Name, lease.Version, DispatchOutcome.Of(failure.Error), elapsed);
                DispatchActivity.Failed(activity, DispatchOutcome.Of(failure.Error), failure.Message);
                LogFailed(_logger, failure.Error, failure.Message);
                throw new DispatchException(failure.Error, failure.Message, ex);
            }
        }
    }

    private static CallOutcome OutcomeOf(DispatchError error) => error switch
    {
        DispatchError.DeadlineExceeded => CallOutcome.TimedOut,
        DispatchError.Cancelled => CallOutcome.Cancelled,
        DispatchError.ResourceExhausted => CallOutcome.Rejected,
        _ => CallOutcome.Failed,
    };

    private static DispatchError ErrorOf(Refusal refusal) => refusal switch
    {
        Refusal.DeadlineExceeded => DispatchError.DeadlineExceeded,
        Refusal.Saturated => DispatchError.ResourceExhausted,
        _ => DispatchError.Unavailable,
    };

    // A call no instance took: counted against the active version.
    private DispatchException Refused(Activity? activity, long started, IDispatchTarget plugin, DispatchError error, string message, Exception inner)
    {
        _metrics.Dispatched(plugin.Name, plugin.ActiveVersion, DispatchOutcome.Of(error), Stopwatch.GetElapsedTime(started));
        DispatchActivity.Failed(activity, DispatchOutcome.Of(error), message);
        LogFailed(_logger, error, message);
        return new DispatchException(error, message, inner);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying on another instance of {Plugin} after {InstanceId} failed: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string plugin, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatch failed ({Error}): {Reason}")]
    private static partial void LogFailed(ILogger logger, DispatchError error, string reason);
}
