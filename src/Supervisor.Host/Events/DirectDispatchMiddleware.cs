using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Wire;

namespace Supervisor.Host.Events;

/// <summary>
/// Serves <c>EventService/Dispatch</c> ahead of routing and grpc-dotnet's server, the events API's one hot call: the
/// request is parsed from Kestrel's buffers, handed to the supervisor, and the reply written into Kestrel's, with no
/// per-call service activation, routing or call context between them (docs/performance.md, "The events hop").
/// Hosting still runs first, so the caller's trace context and the request's activity are as before. A call this
/// does not take as it is (compressed, not gRPC, not a POST) goes on to <see cref="EventServiceEndpoint"/>, which
/// answers it the same way.
/// </summary>
internal sealed partial class DirectDispatchMiddleware
{
    /// <summary>The gRPC path of <c>supervisor.events.v1.EventService/Dispatch</c>.</summary>
    public const string DispatchPath = "/supervisor.events.v1.EventService/Dispatch";

    // A timer cannot run longer (about 24.8 days); a longer grpc-timeout is no deadline in practice, and DateTime
    // arithmetic on the longest ones (8 digits of hours) would overflow.
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    private readonly RequestDelegate _next;
    private readonly PluginSupervisor _supervisor;
    private readonly int _maxMessageBytes;
    private readonly ILogger _logger;

    public DirectDispatchMiddleware(RequestDelegate next, PluginSupervisor supervisor, int maxMessageBytes, ILogger logger)
    {
        _next = next;
        _supervisor = supervisor;
        _maxMessageBytes = maxMessageBytes;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context) => Takes(context.Request) ? DispatchAsync(context) : _next(context);

    private static bool Takes(HttpRequest request)
    {
        if (!string.Equals(request.Path.Value, DispatchPath, StringComparison.Ordinal) || !HttpMethods.IsPost(request.Method) || !IsGrpc(request.ContentType))
        {
            return false;
        }

        // grpc-dotnet decompresses what it supports (gzip) and refuses the rest with its own words.
        var encoding = request.Headers.GrpcEncoding;
        return StringValues.IsNullOrEmpty(encoding) || encoding == "identity";
    }

    // application/grpc, application/grpc+proto, application/grpc;charset=...: gRPC over HTTP/2's content types.
    private static bool IsGrpc(string? contentType)
    {
        const string Grpc = "application/grpc";
        return contentType is not null
            && contentType.StartsWith(Grpc, StringComparison.OrdinalIgnoreCase)
            && (contentType.Length == Grpc.Length || contentType[Grpc.Length] is '+' or ';');
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "application/grpc";
        var aborted = context.RequestAborted;
        try
        {
            var request = await GrpcMessageFraming.ReadAsync(context.Request.BodyReader, null, DispatchRequest.Parser, _maxMessageBytes, aborted).ConfigureAwait(false);
            var reply = await _supervisor.DispatchAsync(request.Plugin, request.Event, DeadlineOf(context.Request), aborted).ConfigureAwait(false);

            // Not flushed here: Kestrel writes the message and the trailers together when the call returns.
            GrpcMessageFraming.Write(response.BodyWriter, reply);
            SetStatus(context, StatusCode.OK, string.Empty, messageWritten: true);
        }
        catch (DispatchException ex)
        {
            SetStatus(context, DispatchStatus.CodeOf(ex.Error), ex.Message, messageWritten: false);
        }
        catch (RpcException ex)
        {
            SetStatus(context, ex.StatusCode, ex.Status.Detail, messageWritten: false);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // The caller is gone (its stream reset, its connection closed): nobody reads an answer.
        }
        catch (Exception ex)
        {
            // grpc-dotnet's words for a handler's exception: its details stay in the supervisor's log.
            LogDispatchFailed(_logger, ex);
            SetStatus(context, StatusCode.Unknown, "Exception was thrown by handler.", messageWritten: false);
        }
    }

    // No grpc-timeout: the plugin's configured Deadline applies (SPEC: the call's deadline is the event's).
    private static DateTime? DeadlineOf(HttpRequest request) =>
        GrpcTimeout.TryParse(request.Headers.GrpcTimeout.ToString(), out var timeout) && timeout <= LongestTimeout
            ? DateTime.UtcNow + timeout
            : null;

    private static void SetStatus(HttpContext context, StatusCode code, string message, bool messageWritten)
    {
        // Before any message, the status goes in the headers: a trailers-only response, as grpc-dotnet answers.
        var response = context.Response;
        var target = messageWritten || response.HasStarted
            ? context.Features.GetRequiredFeature<IHttpResponseTrailersFeature>().Trailers
            : response.Headers;
        target.GrpcStatus = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (message.Length > 0)
        {
            target.GrpcMessage = GrpcStatusMessage.Encode(message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch through the events API failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);
}
