using Grpc.Core;
using Supervisor.Configuration;
using Supervisor.Host.Hosting;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Admin;

/// <summary>Serves <c>supervisor.admin.v1.AdminService</c> for operators.</summary>
internal sealed class AdminServiceEndpoint(PluginSupervisor supervisor, ConfigurationReloader reloader) : AdminService.AdminServiceBase
{
    public override async Task<ReloadConfigResponse> ReloadConfig(ReloadConfigRequest request, ServerCallContext context)
    {
        try
        {
            var changes = await reloader.ReloadAsync(context.CancellationToken).ConfigureAwait(false);
            var response = new ReloadConfigResponse { Source = reloader.FilePath };
            response.Changes.AddRange(changes);
            return response;
        }
        catch (SupervisorConfigurationException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the configuration from {reloader.FilePath} was not applied, nothing changed: {ex.Message}"));
        }
    }

    public override async Task<ScalePluginResponse> ScalePlugin(ScalePluginRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        if (request.Instances is 0 or > SupervisorOptionsValidator.MaxInstances)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"instances must be between 1 and {SupervisorOptionsValidator.MaxInstances}, got {request.Instances}"));
        }

        try
        {
            var (previous, message) = await supervisor.ScalePluginAsync(request.Plugin, (int)request.Instances, context.CancellationToken).ConfigureAwait(false);
            return new ScalePluginResponse { PreviousInstances = (uint)previous, Instances = request.Instances, Message = message };
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

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

    public override Task<RestartPluginResponse> RestartPlugin(RestartPluginRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        try
        {
            var (recycled, lifted) = supervisor.RestartPlugin(request.Plugin);
            var response = new RestartPluginResponse { QuarantineLifted = lifted };
            response.RecycledInstanceIds.AddRange(recycled);
            return Task.FromResult(response);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
    }

    public override Task<RollPluginResponse> RollPlugin(RollPluginRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        if (string.IsNullOrEmpty(request.Version))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the request names no version to roll to"));
        }

        return RollAsync(() => supervisor.RollPluginAsync(request.Plugin, request.Version, request.Strategy, request.Wait, context.CancellationToken));
    }

    public override Task<RollPluginResponse> RollbackPlugin(RollbackPluginRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        return RollAsync(() => supervisor.RollbackPluginAsync(request.Plugin, request.Wait, context.CancellationToken));
    }

    public override Task<GetHangDumpResponse> GetHangDump(GetHangDumpRequest request, ServerCallContext context)
    {
        RequirePlugin(request.Plugin);
        HangDump? dump;
        try
        {
            dump = supervisor.GetHangDump(request.Plugin, request.InstanceId);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }

        return dump is null
            ? throw new RpcException(new Status(StatusCode.NotFound, request.InstanceId.Length == 0
                ? $"no hang dump of plugin '{request.Plugin}' is kept (none of its instances has hung, or the dumps were trimmed)"
                : $"no hang dump of instance '{request.InstanceId}' of plugin '{request.Plugin}' is kept"))
            : Task.FromResult(new GetHangDumpResponse { Dump = dump });
    }

    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<LifecycleEvent> responseStream, ServerCallContext context)
    {
        // The subscription starts before the headers go out (no event after them is missed), and it only ends once
        // its enumeration has begun: ending it is this token's job, whatever fails in between.
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        IAsyncEnumerator<LifecycleEvent> events;
        try
        {
            events = supervisor.WatchEventsAsync(request.Plugin, subscription.Token).GetAsyncEnumerator(subscription.Token);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }

        try
        {
            // Tell the watcher the stream is live before the first event, which may be a long time coming.
            await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                await responseStream.WriteAsync(events.Current, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
        finally
        {
            await EndAsync(events, subscription).ConfigureAwait(false);
        }
    }

    // A subscription whose enumeration never began (the headers could not be written) is still registered: cancel it
    // and step it once, so that it sees the cancellation and unregisters.
    private static async ValueTask EndAsync(IAsyncEnumerator<LifecycleEvent> events, CancellationTokenSource subscription)
    {
        await subscription.CancelAsync().ConfigureAwait(false);
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                // Nobody reads what was still buffered.
            }
        }
        catch (OperationCanceledException)
        {
            // The expected end.
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override Task<ListAvailableVersionsResponse> ListAvailableVersions(ListAvailableVersionsRequest request, ServerCallContext context)
    {
        try
        {
            var response = new ListAvailableVersionsResponse();
            response.Plugins.AddRange(supervisor.ListAvailableVersions(request.Plugin));
            return Task.FromResult(response);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
    }

    private static async Task<RollPluginResponse> RollAsync(Func<Task<RollPluginResponse>> roll)
    {
        try
        {
            return await roll().ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (RollException ex)
        {
            throw new RpcException(new Status(RollStatusCode.Of(ex.Error), ex.Message));
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
