using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Supervisor.Protocol;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// What Kestrel runs for each HTTP/2 stream (through <see cref="KestrelApplication"/>): checks that it is a gRPC call
/// carrying the token, then dispatches it by path. Built by hand instead of by ASP.NET Core's routing and
/// grpc-dotnet's service binding, which made most of a plugin's start (docs/performance.md, issue 15).
/// </summary>
internal sealed partial class ShimApplication
{
    private const string PluginServicePrefix = "/supervisor.plugin.v1.PluginService/";
    private const string HealthServicePrefix = "/grpc.health.v1.Health/";

    private readonly BearerTokenCheck _token;
    private readonly PluginServiceEndpoint _plugin;
    private readonly HealthEndpoint _health;
    private readonly ILogger _logger;

    public ShimApplication(BearerTokenCheck token, PluginServiceEndpoint plugin, HealthEndpoint health, ILogger logger)
    {
        _token = token;
        _plugin = plugin;
        _health = health;
        _logger = logger;
    }

    public async Task ProcessRequestAsync(IFeatureCollection features)
    {
        var request = FeatureLookup.Required<IHttpRequestFeature>(features);
        var response = FeatureLookup.Required<IHttpResponseFeature>(features);
        GrpcCall.StartResponse(response);
        var contentType = request.Headers.ContentType;
        if (!IsGrpc(contentType))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            GrpcCall.Refuse(features, response, StatusCode.Internal, $"Content-Type '{contentType}' is not supported.");
            return;
        }

        // Before anything of the call is read: a caller without the token learns nothing else.
        var authorization = request.Headers.Authorization;
        if (_token.Refusal(StringValues.IsNullOrEmpty(authorization) ? null : authorization.ToString()) is { } refusal)
        {
            GrpcCall.Refuse(features, response, StatusCode.Unauthenticated, refusal);
            return;
        }

        using var call = new GrpcCall(features, request, response);
        try
        {
            await DispatchAsync(request.Path, call).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            call.SetStatus(ex.StatusCode, ex.Status.Detail);
        }
        catch (Exception) when (call.IsAborted)
        {
            // The caller is gone (its stream reset, its connection closed): nobody reads an answer.
        }
        catch (Exception ex)
        {
            LogCallFailed(_logger, ex, request.Path);
            call.SetStatus(StatusCode.Unknown, "Exception was thrown by handler.");
        }
    }

    private async Task DispatchAsync(string path, GrpcCall call)
    {
        switch (path)
        {
            case PluginServicePrefix + "HandleEvent":
                var handleEvent = await call.ReadAsync(HandleEventRequest.Parser).ConfigureAwait(false);
                call.Reply(await _plugin.HandleEvent(handleEvent, call).ConfigureAwait(false));
                break;
            case PluginServicePrefix + "GetStatus":
                await call.ReadAsync(GetStatusRequest.Parser).ConfigureAwait(false);
                call.Reply(_plugin.GetStatus());
                break;
            case PluginServicePrefix + "Describe":
                await call.ReadAsync(DescribeRequest.Parser).ConfigureAwait(false);
                call.Reply(_plugin.Describe());
                break;
            case PluginServicePrefix + "Shutdown":
                call.Reply(_plugin.Shutdown(await call.ReadAsync(ShutdownRequest.Parser).ConfigureAwait(false)));
                break;
            case HealthServicePrefix + "Check":
                call.Reply(_health.Check(await call.ReadAsync(HealthCheckRequest.Parser).ConfigureAwait(false)));
                break;
            case HealthServicePrefix + "Watch":
                await _health.WatchAsync(await call.ReadAsync(HealthCheckRequest.Parser).ConfigureAwait(false), call).ConfigureAwait(false);
                break;
            default:
                // grpc-dotnet's words for a path it has no route for.
                throw new RpcException(new Status(
                    StatusCode.Unimplemented,
                    path.StartsWith(PluginServicePrefix, StringComparison.Ordinal) || path.StartsWith(HealthServicePrefix, StringComparison.Ordinal)
                        ? "Method is unimplemented."
                        : "Service is unimplemented."));
        }
    }

    // application/grpc, application/grpc+proto, application/grpc;charset=...: gRPC over HTTP/2's content types.
    private static bool IsGrpc(StringValues contentType)
    {
        var value = contentType.ToString();
        const string Grpc = "application/grpc";
        return value.StartsWith(Grpc, StringComparison.OrdinalIgnoreCase)
            && (value.Length == Grpc.Length || value[Grpc.Length] is '+' or ';');
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The shim failed serving {Path}")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string path);
}
