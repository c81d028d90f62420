using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// One gRPC call on Kestrel's HTTP/2 stream: its deadline and cancellation, its one request message, its reply
/// messages and its status (in the trailers, or, before any message, as a trailers-only response).
/// </summary>
internal sealed class GrpcCall : IDisposable
{
    // A timer cannot run longer (about 24.8 days); a longer grpc-timeout is no deadline at all in practice.
    private static readonly TimeSpan LongestDeadline = TimeSpan.FromMilliseconds(int.MaxValue - 1);
    private static readonly string[] StatusCodes = CreateStatusCodes();

    private readonly IFeatureCollection _features;
    private readonly IHttpResponseFeature _response;
    private readonly IHttpResponseBodyFeature _body;
    private readonly CancellationTokenSource? _deadlineSource;
    private readonly CancellationToken _aborted;
    private bool _messageWritten;

    public GrpcCall(IFeatureCollection features, IHttpRequestFeature request, IHttpResponseFeature response)
    {
        _features = features;
        _response = response;
        _body = FeatureLookup.Required<IHttpResponseBodyFeature>(features);
        RequestHeaders = request.Headers;
        _aborted = FeatureLookup.Required<IHttpRequestLifetimeFeature>(features).RequestAborted;
        if (GrpcTimeout.TryParse(RequestHeaders.GrpcTimeout.ToString(), out var timeout) && timeout <= LongestDeadline)
        {
            Deadline = DateTime.UtcNow + timeout;
            _deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(_aborted);
            _deadlineSource.CancelAfter(timeout);
            CancellationToken = _deadlineSource.Token;
        }
        else
        {
            Deadline = DateTime.MaxValue;
            CancellationToken = _aborted;
        }
    }

    /// <summary>Gets the call's deadline (UTC), <see cref="DateTime.MaxValue"/> when it has none.</summary>
    public DateTime Deadline { get; }

    /// <summary>Gets the token cancelled at the deadline or when the caller goes away (<c>RequestAborted</c>).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets whether the caller went away (reset the stream or closed the connection).</summary>
    public bool IsAborted => _aborted.IsCancellationRequested;

    public IHeaderDictionary RequestHeaders { get; }

    /// <summary>Sets the response headers every call answers with, before anything else is written.</summary>
    public static void StartResponse(IHttpResponseFeature response)
    {
        response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status200OK;
        response.Headers.ContentType = "application/grpc";
    }

    /// <summary>Reads the call's one request message.</summary>
    public ValueTask<T> ReadAsync<T>(MessageParser<T> parser)
        where T : IMessage<T> =>
        GrpcMessageFraming.ReadAsync(FeatureLookup.Required<IRequestBodyPipeFeature>(_features).Reader, RequestHeaders.GrpcEncoding.ToString(), parser, CancellationToken);

    /// <summary>Answers a unary call: the message, then status OK when the call returns.</summary>
    public void Reply(IMessage message)
    {
        // Not flushed here: Kestrel writes the buffered message and the trailers together when the call returns.
        Write(message);
        SetStatus(StatusCode.OK, string.Empty);
    }

    /// <summary>Sends one message of a server stream now.</summary>
    public async ValueTask SendAsync(IMessage message)
    {
        Write(message);
        await _body.Writer.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the call's status: in the trailers after a message, in the headers (trailers-only) before any.</summary>
    public void SetStatus(StatusCode code, string message) => SetStatus(_features, _response, _messageWritten, code, message);

    /// <summary>Sets the status of a call refused before its <see cref="GrpcCall"/> was made: trailers-only.</summary>
    public static void Refuse(IFeatureCollection features, IHttpResponseFeature response, StatusCode code, string message) =>
        SetStatus(features, response, messageWritten: false, code, message);

    public void Dispose() => _deadlineSource?.Dispose();

    private static void SetStatus(IFeatureCollection features, IHttpResponseFeature response, bool messageWritten, StatusCode code, string message)
    {
        // Kestrel may have sent the headers by now even without a message (a flush); trailers then, too.
        var target = messageWritten || response.HasStarted ? FeatureLookup.Required<IHttpResponseTrailersFeature>(features).Trailers : response.Headers;
        target.GrpcStatus = StatusCodes[(int)code];
        if (message.Length > 0)
        {
            target.GrpcMessage = GrpcStatusMessage.Encode(message);
        }
    }

    private void Write(IMessage message)
    {
        GrpcMessageFraming.Write(_body.Writer, message);
        _messageWritten = true;
    }

    private static string[] CreateStatusCodes()
    {
        var codes = new string[(int)StatusCode.Unauthenticated + 1];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return codes;
    }
}
