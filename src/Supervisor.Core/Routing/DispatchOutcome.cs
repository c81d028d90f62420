namespace Supervisor.Routing;

/// <summary>The <c>dispatch.outcome</c> values of metrics and traces: <c>ok</c>, or the error in snake case.</summary>
internal static class DispatchOutcome
{
    public const string Ok = "ok";

    public static string Of(DispatchError error) => error switch
    {
        DispatchError.InvalidArgument => "invalid_argument",
        DispatchError.NotFound => "not_found",
        DispatchError.DeadlineExceeded => "deadline_exceeded",
        DispatchError.Unavailable => "unavailable",
        DispatchError.ResourceExhausted => "resource_exhausted",
        DispatchError.HandlerFailed => "handler_failed",
        DispatchError.Aborted => "aborted",
        DispatchError.Cancelled => "cancelled",
        _ => "internal",
    };
}
