using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Supervisor.Instances;

namespace Supervisor.Routing;

/// <summary>
/// Decides what a failed call to an instance means for the caller, and whether it is safe to try another
/// instance: only when the call provably never reached a handler, or when the plugin is idempotent.
/// </summary>
internal static class FailureClassifier
{
    public static CallFailure Classify(Exception exception, in FailureContext context)
    {
        var who = context.Who;
        switch (exception)
        {
            case BulkheadRejectedException rejected:
                return new(DispatchError.ResourceExhausted, false, $"{who} {rejected.Message}; retry later, or raise Instances or MaxConcurrency");
            case OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }:
                // A gRPC server cancels the caller's token at the caller's deadline too: a token that fired at the
                // deadline is a deadline, not a caller giving up.
                if (exception is RpcException { StatusCode: StatusCode.DeadlineExceeded } || context.DeadlineReached)
                {
                    return new(DispatchError.DeadlineExceeded, false, $"{who} did not answer event '{context.EventName}' by its deadline");
                }

                if (context.CallerCancelled)
                {
                    return new(DispatchError.Cancelled, false, "the caller cancelled the call");
                }

                // Cancelled by neither the caller nor the deadline: the instance's channel closed under the call.
                return Aborted(context);
            case ObjectDisposedException:
                return new(DispatchError.Unavailable, true, $"{who} went away before the call was sent");
            case RpcException { Status.DebugException: null } rpc:
                return rpc.StatusCode switch
                {
                    StatusCode.Unknown => new(DispatchError.HandlerFailed, false, $"{who} handler failed on event '{context.EventName}': {rpc.Status.Detail}"),
                    // The shim refuses calls while draining, before any handler runs.
                    StatusCode.Unavailable => new(DispatchError.Unavailable, true, $"{who} is shutting down: {rpc.Status.Detail}"),
                    StatusCode.Unauthenticated => new(DispatchError.Internal, false, $"{who} refused the supervisor's token: {rpc.Status.Detail}"),
                    StatusCode.ResourceExhausted => new(DispatchError.ResourceExhausted, false, $"{who} answered event '{context.EventName}' with ResourceExhausted: {rpc.Status.Detail}"),
                    _ => new(DispatchError.HandlerFailed, context.Idempotent, $"{who} answered event '{context.EventName}' with {rpc.StatusCode}: {rpc.Status.Detail}"),
                };
            case RpcException rpc when ConnectFailed(rpc.Status.DebugException) && context.NothingCarried:
                return new(DispatchError.Unavailable, true, $"{who} could not be reached: {rpc.Status.DebugException!.Message}", Unreachable: true);
            case RpcException:
                return Aborted(context);
            default:
                return new(DispatchError.Internal, false, $"{who}: unexpected {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static CallFailure Aborted(in FailureContext context) =>
        new(DispatchError.Aborted, context.Idempotent,
            $"{context.Who} died or dropped the connection during the call{(context.Exit is { } exit ? $" ({exit})" : string.Empty)}; the event may or may not have been handled");

    /// <summary>True when the last thing that failed was a connection attempt (not proof on its own: see <see cref="ConnectionTracker"/>).</summary>
    private static bool ConnectFailed(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }:
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported }:
                    return true;
            }
        }

        return false;
    }
}

/// <summary>A classified failure: what the caller is told, and whether another instance may be tried.</summary>
// Unreachable: the instance refused a connection, so nothing more is routed to it.
internal readonly record struct CallFailure(DispatchError Error, bool Retryable, string Message, bool Unreachable = false);

/// <summary>What the classifier knows of a failed attempt besides the exception.</summary>
/// <param name="Who">The instance in words (plugin, version, instance id, pid).</param>
/// <param name="EventName">The event's name.</param>
/// <param name="Idempotent">Whether the plugin may be retried after any failure.</param>
/// <param name="DeadlineReached">
/// The wall clock is within a timer's resolution of the deadline. Timers run on the monotonic clock and can fire a
/// few microseconds before the wall clock agrees, so an exact comparison must not decide.
/// </param>
/// <param name="CallerCancelled">The caller's token has fired.</param>
/// <param name="NothingCarried">No connection could have carried the request (see <see cref="Instances.ConnectionTracker"/>).</param>
/// <param name="Exit">How the process ended, if it has.</param>
internal readonly record struct FailureContext(string Who, string EventName, bool Idempotent, bool DeadlineReached, bool CallerCancelled, bool NothingCarried, string? Exit);
