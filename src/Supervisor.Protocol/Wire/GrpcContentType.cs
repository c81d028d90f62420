namespace Supervisor.Protocol.Wire;

/// <summary>The content types of gRPC over HTTP/2: <c>application/grpc</c>, <c>application/grpc+proto</c>, <c>application/grpc;…</c>.</summary>
public static class GrpcContentType
{
    /// <summary>The content type a gRPC response carries.</summary>
    public const string Grpc = "application/grpc";

    /// <summary>Whether <paramref name="contentType"/> is one of gRPC's.</summary>
    /// <param name="contentType">A request's <c>content-type</c>, if it has one.</param>
    /// <returns>Whether a gRPC server takes the request.</returns>
    public static bool IsGrpc(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(Grpc, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == Grpc.Length || contentType[Grpc.Length] is '+' or ';');
}
