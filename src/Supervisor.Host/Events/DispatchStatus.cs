using Grpc.Core;

namespace Supervisor.Host.Events;

/// <summary>The events API's status codes for dispatch failures (SPEC: "Errors callers see").</summary>
internal static class DispatchStatus
{
    public static RpcException ToRpcException(DispatchException exception) =>
        new(new Status(CodeOf(exception.Error), exception.Message));

    public static StatusCode CodeOf(DispatchError error) => error switch
    {
        DispatchError.InvalidArgument => StatusCode.InvalidArgument,
        DispatchError.NotFound => StatusCode.NotFound,
        DispatchError.DeadlineExceeded => StatusCode.DeadlineExceeded,
        DispatchError.Unavailable => StatusCode.Unavailable,
        DispatchError.ResourceExhausted => StatusCode.ResourceExhausted,
        DispatchError.HandlerFailed => StatusCode.Unknown,
        DispatchError.Aborted => StatusCode.Aborted,
        DispatchError.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };
}
