using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Admin;

/// <summary>Serves <c>supervisor.admin.v1.AdminService</c> for operators.</summary>
internal sealed class AdminServiceEndpoint(PluginSupervisor supervisor) : AdminService.AdminServiceBase
{
    public override Task<ListPluginsResponse> ListPlugins(ListPluginsRequest request, ServerCallContext context)
    {
        var response = new ListPluginsResponse();
        response.Plugins.AddRange(supervisor.ListPlugins());
        return Task.FromResult(response);
    }

    public override Task<GetPluginResponse> GetPlugin(GetPluginRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        try
        {
            return Task.FromResult(new GetPluginResponse { Plugin = supervisor.GetPlugin(request.Plugin) });
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
    }

    public override Task<KillInstanceResponse> KillInstance(KillInstanceRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        try
        {
            var response = new KillInstanceResponse();
            response.KilledInstanceIds.AddRange(supervisor.KillInstance(request.Plugin, request.InstanceId));
            return Task.FromResult(response);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
    }

    private static void RequirePlugin(string plugin)
    {
        if (string.IsNullOrEmpty(plugin))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the request names no plugin"));
        }
    }
}
