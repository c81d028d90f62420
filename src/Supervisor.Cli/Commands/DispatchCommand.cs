using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>dispatch</c>: send one event through the events API and print the reply.</summary>
internal static class DispatchCommand
{
    public static Command Create()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var eventName = new Argument<string>("event") { Description = "The event name, e.g. customer.created." };
        var data = new Option<string?>("--data", "-d") { Description = "The payload as text, or @FILE to read it from a file." };
        var contentType = new Option<string>("--content-type") { Description = "The payload's media type.", DefaultValueFactory = _ => "text/plain" };
        var deadline = new Option<int?>("--deadline-ms") { Description = "The call's deadline in milliseconds; the plugin's configured Deadline when omitted." };
        var events = new Option<string>("--events")
        {
            Description = "Events API address. Env: SUPERVISOR_EVENTS_ADDRESS.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SUPERVISOR_EVENTS_ADDRESS") ?? GlobalOptions.DefaultEventsAddress,
        };
        var command = new Command("dispatch", "Send an event to a plugin through the events API; the reply payload goes to stdout.")
        {
            plugin, eventName, data, contentType, deadline, events,
        };
        command.SetAction(async (parse, ct) =>
        {
            byte[] payload;
            var text = parse.GetValue(data) ?? string.Empty;
            try
            {
                payload = text.StartsWith('@') ? await File.ReadAllBytesAsync(text[1..], ct).ConfigureAwait(false) : Encoding.UTF8.GetBytes(text);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"error: cannot read --data file: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            return await CallRunner.RunAsync(parse.GetValue(events)!, token: null, async channel =>
            {
                var request = new DispatchRequest
                {
                    Plugin = parse.GetValue(plugin),
                    Event = new Event { Name = parse.GetValue(eventName), Payload = ByteString.CopyFrom(payload), ContentType = parse.GetValue(contentType) },
                };
                var client = new EventService.EventServiceClient(channel);
                await WarmUpAsync(client, ct).ConfigureAwait(false);
                DateTime? callDeadline = parse.GetValue(deadline) is { } ms ? DateTime.UtcNow.AddMilliseconds(ms) : null;
                var started = Stopwatch.GetTimestamp();
                var response = await client.DispatchAsync(request, deadline: callDeadline, cancellationToken: ct).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (parse.GetValue(GlobalOptions.Json))
                {
                    CallRunner.PrintJson(response);
                }
                else
                {
                    using var stdout = Console.OpenStandardOutput();
                    response.Payload.WriteTo(stdout);
                    await Console.Error.WriteLineAsync($"{Environment.NewLine}<- {request.Plugin} {response.PluginVersion} (instance {response.InstanceId}) in {elapsed.TotalMilliseconds:0.0} ms").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    // The deadline is the event's budget, not this process's cold start: open the connection and warm the call path
    // with a request the supervisor refuses at once (no plugin named), before the clock starts.
    private static async Task WarmUpAsync(EventService.EventServiceClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DispatchAsync(new DispatchRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            // Expected: the connection is open.
        }
    }
}
