using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// <c>grpc.health.v1.Health</c> for the server as a whole (service name <c>""</c>): <c>SERVING</c> until the shim
/// drains, <c>NOT_SERVING</c> from then on. Another name is <c>NOT_FOUND</c> (<c>Watch</c>: <c>SERVICE_UNKNOWN</c>),
/// as <c>Grpc.HealthCheck</c>'s service, which the shim used before, answers it.
/// </summary>
internal sealed class HealthEndpoint(ShimLifetime lifetime)
{
    private static readonly HealthCheckResponse Serving = new() { Status = ServingStatus.Serving };
    private static readonly HealthCheckResponse NotServing = new() { Status = ServingStatus.NotServing };
    private static readonly HealthCheckResponse Unknown = new() { Status = ServingStatus.ServiceUnknown };

    public HealthCheckResponse Check(HealthCheckRequest request) =>
        request.Service.Length == 0
            ? Current()
            : throw new RpcException(new Status(StatusCode.NotFound, string.Empty));

    /// <summary>Sends the current status, then each change, until the call ends or the shim exits.</summary>
    public async Task WatchAsync(HealthCheckRequest request, GrpcCall call)
    {
        if (request.Service.Length != 0)
        {
            await call.SendAsync(Unknown).ConfigureAwait(false);
        }
        else
        {
            var sent = Current();
            await call.SendAsync(sent).ConfigureAwait(false);
            if (sent == Serving && await EndsFirst(lifetime.Draining, call).ConfigureAwait(false))
            {
                await call.SendAsync(NotServing).ConfigureAwait(false);
            }
        }

        await EndsFirst(lifetime.Exited, call).ConfigureAwait(false);
        call.SetStatus(StatusCode.OK, string.Empty);
    }

    private HealthCheckResponse Current() => lifetime.IsDraining ? NotServing : Serving;

    // True when the task completed; false when the call ended first: the caller cancelled (the answer goes nowhere)
    // or its deadline passed (DEADLINE_EXCEEDED, as any call past its deadline).
    private static async Task<bool> EndsFirst(Task task, GrpcCall call)
    {
        try
        {
            await task.WaitAsync(call.CancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (call.CancellationToken.IsCancellationRequested)
        {
            if (call.IsAborted)
            {
                return false;
            }

            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "the health watch reached its deadline"));
        }
    }
}
