using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Supervisor.Instances;
using Supervisor.Supervision;

namespace Supervisor.Routing;

/// <summary>
/// Decides what a failed call to an instance means for the caller, and whether it is safe to try another
/// instance: only when the call provably never reached a handler, or when the plugin is idempotent.
/// </summary>
internal static class FailureClassifier
{
    // deadlineReached: the wall clock is within a timer's resolution of the deadline. Timers run on the monotonic
    // clock and can fire a few microseconds before the wall clock agrees, so an exact comparison must not decide.
    public static CallFailure Classify(Exception exception, PluginInstance instance, PluginRuntime plugin, string eventName, bool deadlineReached, ConnectionTracker.Snapshot connectionsAtStart, CancellationToken callerToken)
    {
        var who = $"plugin '{plugin.Name}' {instance.Version} (instance {instance.Id}, pid {instance.Process.Pid})";
        switch (exception)
        {
            case BulkheadRejectedException:
                return new(DispatchError.ResourceExhausted, false,
                    $"{who} is at MaxConcurrency ({plugin.Options.MaxConcurrency}) with its queue full (QueueLimit {plugin.Options.QueueLimit}); retry later, or raise Instances or MaxConcurrency");
            case OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }:
                // A gRPC server cancels the caller's token at the caller's deadline too: a token that fired at the
                // deadline is a deadline, not a caller giving up.
                if (exception is RpcException { StatusCode: StatusCode.DeadlineExceeded } || deadlineReached)
                {
                    return new(DispatchError.DeadlineExceeded, false, $"{who} did not answer event '{eventName}' by its deadline");
                }

                if (callerToken.IsCancellationRequested)
                {
                    return new(DispatchError.Cancelled, false, "the caller cancelled the call");
                }

                // Cancelled by neither the caller nor the deadline: the instance's channel closed under the call.
                return Aborted(who, instance, plugin);
            case ObjectDisposedException:
                return new(DispatchError.Unavailable, true, $"{who} went away before the call was sent");
            case RpcException { Status.DebugException: null } rpc:
                return rpc.StatusCode switch
                {
                    StatusCode.Unknown => new(DispatchError.HandlerFailed, false, $"{who} handler failed on event '{eventName}': {rpc.Status.Detail}"),
                    // The shim refuses calls while draining, before any handler runs.
                    StatusCode.Unavailable => new(DispatchError.Unavailable, true, $"{who} is shutting down: {rpc.Status.Detail}"),
                    StatusCode.Unauthenticated => new(DispatchError.Internal, false, $"{who} refused the supervisor's token: {rpc.Status.Detail}"),
                    _ => new(DispatchError.HandlerFailed, plugin.Options.Idempotent, $"{who} answered event '{eventName}' with {rpc.StatusCode}: {rpc.Status.Detail}"),
                };
            case RpcException rpc when ConnectFailed(rpc.Status.DebugException) && instance.Connections.NothingCarried(connectionsAtStart):
                return new(DispatchError.Unavailable, true, $"{who} could not be reached: {rpc.Status.DebugException!.Message}", Unreachable: true);
            case RpcException:
                return Aborted(who, instance, plugin);
            default:
                return new(DispatchError.Internal, false, $"{who}: unexpected {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static CallFailure Aborted(string who, PluginInstance instance, PluginRuntime plugin)
    {
        var exited = instance.Process.Exited;
        var how = exited.IsCompletedSuccessfully ? $" ({exited.Result})" : string.Empty;
        return new(DispatchError.Aborted, plugin.Options.Idempotent,
            $"{who} died or dropped the connection during the call{how}; the event may or may not have been handled");
    }

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
