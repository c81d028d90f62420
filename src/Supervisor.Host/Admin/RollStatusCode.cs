using Grpc.Core;

namespace Supervisor.Host.Admin;

/// <summary>The gRPC status an operator gets for each way a roll can be refused or fail.</summary>
internal static class RollStatusCode
{
    public static StatusCode Of(RollError error) => error switch
    {
        RollError.VersionNotFound => StatusCode.NotFound,
        RollError.ShuttingDown => StatusCode.Unavailable,
        RollError.Aborted => StatusCode.Aborted,
        _ => StatusCode.FailedPrecondition,
    };
}
