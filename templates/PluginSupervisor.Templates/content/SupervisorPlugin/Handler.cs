#if (HandlerForm == "json")
using System.Text.Json;
using System.Text.Json.Serialization;
#else
using System.Text;
#endif
using Supervisor.PluginSdk;

namespace SupervisorPlugin1;

#if (HandlerForm == "async")
/// <summary>Handles the events the supervisor routes to this plugin.</summary>
internal sealed class Handler : IPlugin
{
    // The token is cancelled at the caller's deadline: pass it to everything you await. An exception reaches the
    // caller as an UNKNOWN status with its type and message, and the process goes on serving.
    public ValueTask<PluginReply> HandleEventAsync(PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        pluginEvent.Name switch
        {
            "greet" => ValueTask.FromResult(PluginReply.FromText($"Hello, {Encoding.UTF8.GetString(pluginEvent.Payload.Span)}!")),
            _ => throw new NotSupportedException($"event '{pluginEvent.Name}' is not handled"),
        };
}
#elif (HandlerForm == "sync")
/// <summary>Handles the events the supervisor routes to this plugin, in plain blocking code.</summary>
internal sealed class Handler : SynchronousPlugin
{
    // Runs on a thread-pool thread, so blocking is fine; check the token in long loops. A handler that never
    // returns does not hold up the caller, and the supervisor replaces the process. An exception reaches the
    // caller as an UNKNOWN status with its type and message.
    public override PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        pluginEvent.Name switch
        {
            "greet" => PluginReply.FromText($"Hello, {Encoding.UTF8.GetString(pluginEvent.Payload.Span)}!"),
            _ => throw new NotSupportedException($"event '{pluginEvent.Name}' is not handled"),
        };
}
#else
/// <summary>Handles the events the supervisor routes to this plugin: JSON of <see cref="Greeting"/> in and out.</summary>
internal sealed class Handler : JsonPlugin<Greeting>
{
    // Source-generated JSON metadata keeps the plugin trimming- and Native AOT-safe.
    public Handler()
        : base(GreetingJsonContext.Default.Greeting)
    {
    }

    // An exception reaches the caller as an UNKNOWN status with its type and message.
    public override Greeting HandleEvent(string eventName, Greeting instance) => eventName switch
    {
        "greet" => instance with { Reply = $"Hello, {instance.Name}!" },
        _ => throw new NotSupportedException($"event '{eventName}' is not handled"),
    };
}

/// <summary>The plugin's state: the event payload, and the reply with <see cref="Reply"/> set.</summary>
internal sealed record Greeting(string Name, string? Reply);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Greeting))]
internal sealed partial class GreetingJsonContext : JsonSerializerContext;
#endif
