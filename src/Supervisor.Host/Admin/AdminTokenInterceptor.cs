using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Supervisor.Host.Admin;

/// <summary>With <c>Admin:Token</c> set, every admin call, on any transport, must carry <c>authorization: Bearer &lt;token&gt;</c>.</summary>
internal sealed class AdminTokenInterceptor(string token) : Interceptor
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + token);

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
        if (presented is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the admin API requires 'authorization: Bearer <Admin:Token>'"));
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the admin token is not valid"));
        }
    }
}
