using Grpc.Core;
using Supervisor.Protocol.Events.V1;

namespace Supervisor.Host.Events;

/// <summary>Serves <c>supervisor.events.v1.EventService</c>: the caller's gRPC deadline is the event's deadline.</summary>
internal sealed class EventServiceEndpoint(PluginSupervisor supervisor) : EventService.EventServiceBase
{
    public override async Task<DispatchResponse> Dispatch(DispatchRequest request, ServerCallContext context)
    {
        // grpc-dotnet reports "no deadline" as DateTime.MaxValue; the plugin's configured Deadline applies then.
        DateTime? deadline = context.Deadline == DateTime.MaxValue ? null : context.Deadline;
        try
        {
            return await supervisor.DispatchAsync(request.Plugin, request.Event, deadline, context.CancellationToken).ConfigureAwait(false);
        }
        catch (DispatchException ex)
        {
            throw DispatchStatus.ToRpcException(ex);
        }
    }
}
