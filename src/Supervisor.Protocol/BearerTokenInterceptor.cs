using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Supervisor.Protocol;

/// <summary>
/// Server interceptor that refuses every call not carrying <c>authorization: Bearer &lt;token&gt;</c> with
/// UNAUTHENTICATED. Used by the supervisor's admin API; the .NET plugin shim, which has no gRPC service binding to
/// intercept, checks its per-process token the same way (Shim/BearerToken.cs).
/// </summary>
public sealed class BearerTokenInterceptor : Interceptor
{
    private readonly string _expected;
    private readonly string _service;

    /// <summary>Creates the interceptor.</summary>
    /// <param name="token">The token every call must carry.</param>
    /// <param name="service">Names the service in refusals, e.g. <c>the admin API</c>.</param>
    public BearerTokenInterceptor(string token, string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _expected = "Bearer " + token;
        _service = service;
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
        var presented = context.RequestHeaders.GetValue("authorization");
        if (presented is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{_service} requires 'authorization: Bearer <token>'"));
        }

        if (!FixedTimeEquals(presented, _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{_service} refused the token: it is not valid"));
        }
    }

    // Constant time, so the comparison does not leak how much of a guess was right; no allocation on the call path.
    private static bool FixedTimeEquals(string presented, string expected)
    {
        var difference = presented.Length ^ expected.Length;
        for (var i = 0; i < expected.Length; i++)
        {
            difference |= (i < presented.Length ? presented[i] : 0) ^ expected[i];
        }

        return difference == 0;
    }
}
