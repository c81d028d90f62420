using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Supervisor.PluginSdk;

/// <summary>
/// A plugin shaped like a classic in-process plugin interface, <c>TState HandleEvent(string eventName, TState instance)</c>:
/// the event payload is JSON of <typeparamref name="TState"/>, and the returned state is the JSON reply.
/// Existing synchronous plugins move out of process by deriving from this class, without a rewrite.
/// </summary>
/// <typeparam name="TState">The state type the plugin receives and returns.</typeparam>
public abstract class JsonPlugin<TState> : SynchronousPlugin
{
    private const string JsonContentType = "application/json";
    private readonly JsonTypeInfo<TState> _typeInfo;

    /// <summary>Creates the plugin with source-generated JSON metadata (trimming- and Native AOT-safe).</summary>
    /// <param name="typeInfo">The metadata of <typeparamref name="TState"/>, from a <c>JsonSerializerContext</c>.</param>
    protected JsonPlugin(JsonTypeInfo<TState> typeInfo) => _typeInfo = typeInfo ?? throw new ArgumentNullException(nameof(typeInfo));

    /// <summary>Creates the plugin with reflection-based JSON (web defaults: camelCase, case-insensitive).</summary>
    [RequiresUnreferencedCode("Reflection-based JSON; pass a JsonTypeInfo for trimmed or Native AOT plugins.")]
    [RequiresDynamicCode("Reflection-based JSON; pass a JsonTypeInfo for trimmed or Native AOT plugins.")]
    protected JsonPlugin()
        : this((JsonTypeInfo<TState>)JsonSerializerOptions.Web.GetTypeInfo(typeof(TState)))
    {
    }

    /// <summary>Handles one event.</summary>
    /// <param name="eventName">The event's name, e.g. <c>customer.created</c>.</param>
    /// <param name="instance">The state deserialized from the event payload.</param>
    /// <returns>The new state, serialized as the reply.</returns>
    public abstract TState HandleEvent(string eventName, TState instance);

    /// <inheritdoc />
    public sealed override PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pluginEvent);
        if (pluginEvent.Payload.IsEmpty)
        {
            throw new ArgumentException($"Event '{pluginEvent.Name}' has an empty payload; expected JSON of {typeof(TState).Name}.");
        }

        var instance = JsonSerializer.Deserialize(pluginEvent.Payload.Span, _typeInfo)
            ?? throw new ArgumentException($"Event '{pluginEvent.Name}' has a null payload; expected JSON of {typeof(TState).Name}.");
        var result = HandleEvent(pluginEvent.Name, instance);
        return new PluginReply(JsonSerializer.SerializeToUtf8Bytes(result, _typeInfo), JsonContentType);
    }
}
