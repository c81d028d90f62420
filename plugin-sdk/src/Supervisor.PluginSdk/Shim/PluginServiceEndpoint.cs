using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.PluginSdk.Shim;

/// <summary>Serves <c>supervisor.plugin.v1.PluginService</c> for the plugin's handler.</summary>
internal sealed partial class PluginServiceEndpoint
{
    private readonly IPlugin _plugin;
    private readonly PluginContext _context;
    private readonly InFlightTracker _inFlight;
    private readonly ShimLifetime _lifetime;
    private readonly ILogger _logger;

    public PluginServiceEndpoint(IPlugin plugin, PluginContext context, InFlightTracker inFlight, ShimLifetime lifetime, ILogger logger)
    {
        _plugin = plugin;
        _context = context;
        _inFlight = inFlight;
        _lifetime = lifetime;
        _logger = logger;
    }

    public async Task<HandleEventResponse> HandleEvent(HandleEventRequest request, GrpcCall call)
    {
        if (_lifetime.IsDraining)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"plugin '{_context.Name}' is shutting down and takes no new calls"));
        }

        var wire = request.Event ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "the request carries no event"));
        if (!Handles(wire.Name))
        {
            // docs/protocol.md: an event the plugin did not list in Describe is refused before any handler runs, the
            // same way in every SDK.
            throw new RpcException(new Status(StatusCode.Unimplemented, $"plugin '{_context.Name}' does not handle event '{wire.Name}'; it handles {string.Join(", ", _plugin.EventNames)}"));
        }

        HandlerThreadFloor.Raise();
        var pluginEvent = new PluginEvent(wire.Id, wire.Name, wire.Payload.Memory, wire.ContentType, wire.Attributes, call.Deadline);
        var cancellationToken = call.CancellationToken;
        using var trace = TraceContext.Continue(call.RequestHeaders);
        using var activity = HandlerActivity.Start(wire.Name, wire.Id);
        var handler = InvokeTracked(pluginEvent, cancellationToken);
        PluginReply reply;
        try
        {
            // The handler may ignore its token; the caller is answered at the deadline all the same, and the
            // tracker keeps counting the handler until it really returns.
            reply = handler.IsCompleted ? await handler.ConfigureAwait(false) : await handler.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The token fires at the deadline or when the caller goes away; a caller still there was not the cause.
            var deadlinePassed = !call.IsAborted || call.Deadline <= DateTime.UtcNow;
            throw new RpcException(deadlinePassed
                ? new Status(StatusCode.DeadlineExceeded, $"event '{wire.Name}' was still being handled at its deadline")
                : new Status(StatusCode.Cancelled, "the caller cancelled the call"));
        }
        catch (RpcException)
        {
            throw;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            LogHandlerFailed(_logger, ex, wire.Name, wire.Id);
            throw new RpcException(new Status(StatusCode.Unknown, $"{ex.GetType().FullName}: {ex.Message}"));
        }

        return ToResponse(reply);
    }

    public DescribeResponse Describe()
    {
        var response = new DescribeResponse
        {
            Name = _context.Name,
            Version = _context.Version,
            Sdk = "dotnet",
            SdkVersion = SdkVersion.Value,
        };
        response.EventNames.AddRange(_plugin.EventNames);
        return response;
    }

    public GetStatusResponse GetStatus()
    {
        var (pastDeadline, maxOverdue) = _inFlight.Overdue();
        return new GetStatusResponse
        {
            InFlight = (uint)_inFlight.Count,
            PastDeadline = (uint)pastDeadline,
            MaxOverdue = Duration.FromTimeSpan(maxOverdue),
            Draining = _lifetime.IsDraining,
        };
    }

    public ShutdownResponse Shutdown(ShutdownRequest request)
    {
        var grace = request.Grace?.ToTimeSpan() ?? TimeSpan.Zero;
        if (grace < TimeSpan.Zero)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"grace must not be negative (got {grace})"));
        }

        var inFlight = (uint)_inFlight.Count;
        _ = _lifetime.DrainAsync(grace, "the supervisor asked for a shutdown");
        return new ShutdownResponse { InFlight = inFlight };
    }

    private bool Handles(string eventName)
    {
        var names = _plugin.EventNames;
        if (names.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], eventName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<PluginReply> InvokeTracked(PluginEvent pluginEvent, CancellationToken cancellationToken)
    {
        var id = _inFlight.Begin(pluginEvent.Deadline);
        try
        {
            return await _plugin.HandleEventAsync(pluginEvent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.End(id);
        }
    }

    private static HandleEventResponse ToResponse(PluginReply reply)
    {
        var response = new HandleEventResponse
        {
            // The reply's owner promised not to change it after returning, so no copy is needed.
            Payload = UnsafeByteOperations.UnsafeWrap(reply.Payload),
            ContentType = reply.ContentType,
        };
        if (reply.Attributes is { } attributes)
        {
            foreach (var attribute in attributes)
            {
                response.Attributes[attribute.Key] = attribute.Value;
            }
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for event '{EventName}' ({EventId}) threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string eventName, string eventId);
}
