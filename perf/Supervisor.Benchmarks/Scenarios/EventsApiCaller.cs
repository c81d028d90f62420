using Grpc.Net.Client;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary><c>EventService.Dispatch</c> of one prepared event, on a channel to some supervisor host's events API.</summary>
internal sealed class EventsApiCaller : ICaller
{
    private readonly EventService.EventServiceClient _client;
    private readonly DispatchRequest _request;

    private EventsApiCaller(EventService.EventServiceClient client, DispatchRequest request)
    {
        _client = client;
        _request = request;
    }

    /// <summary>Returns the caller once one dispatch came back with the payload echoed.</summary>
    public static async Task<ICaller> CreateAsync(string scenario, GrpcChannel channel, string plugin, Event pluginEvent, CancellationToken cancellationToken)
    {
        var caller = new EventsApiCaller(new EventService.EventServiceClient(channel), new DispatchRequest { Plugin = plugin, Event = pluginEvent });
        var reply = await caller._client.DispatchAsync(caller._request, cancellationToken: cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(scenario, pluginEvent, reply.Payload);
        return caller;
    }

    public ValueTask CallAsync() => new(_client.DispatchAsync(_request).ResponseAsync);
}
