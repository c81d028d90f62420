using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Supervisor.Protocol;

/// <summary>
/// Server interceptor that refuses every call not carrying <c>authorization: Bearer &lt;token&gt;</c> with
/// UNAUTHENTICATED (<see cref="BearerTokenCheck"/>). Used by the supervisor's admin API; the .NET plugin shim, which
/// has no gRPC service binding to intercept, runs the same check itself.
/// </summary>
public sealed class BearerTokenInterceptor : Interceptor
{
    private readonly BearerTokenCheck _check;

    /// <summary>Creates the interceptor.</summary>
    /// <param name="token">The token every call must carry.</param>
    /// <param name="service">Names the service in refusals, e.g. <c>the admin API</c>.</param>
    public BearerTokenInterceptor(string token, string service)
    {
        _check = new BearerTokenCheck(token, service);
    }

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (_check.Refusal(context.RequestHeaders.GetValue("authorization")) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }
    }
}
