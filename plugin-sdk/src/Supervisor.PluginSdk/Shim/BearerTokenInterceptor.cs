using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Supervisor.PluginSdk.Shim;

/// <summary>Refuses every call that does not carry this process's token (<c>authorization: Bearer …</c>).</summary>
internal sealed class BearerTokenInterceptor : Interceptor
{
    private readonly string _expected;

    public BearerTokenInterceptor(string token) => _expected = "Bearer " + token;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var presented = context.RequestHeaders.GetValue("authorization");
        if (presented is null || !FixedTimeEquals(presented, _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "this plugin only answers its supervisor: the call must carry the plugin token"));
        }
    }

    private static bool FixedTimeEquals(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < a.Length; i++)
        {
            difference |= a[i] ^ b[i];
        }

        return difference == 0;
    }
}
