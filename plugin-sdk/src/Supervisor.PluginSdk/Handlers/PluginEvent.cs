namespace Supervisor.PluginSdk;

/// <summary>An event delivered to a plugin.</summary>
public sealed class PluginEvent
{
    /// <summary>Creates an event.</summary>
    /// <param name="id">The event's id.</param>
    /// <param name="name">The event's name, e.g. <c>customer.created</c>.</param>
    /// <param name="payload">The event's body.</param>
    /// <param name="contentType">The body's media type; empty when the caller gave none.</param>
    /// <param name="attributes">Free-form metadata from the caller.</param>
    /// <param name="deadline">When the caller stops waiting (UTC); <see cref="DateTime.MaxValue"/> for none.</param>
    public PluginEvent(string id, string name, ReadOnlyMemory<byte> payload, string contentType, IReadOnlyDictionary<string, string> attributes, DateTime deadline)
    {
        Id = id;
        Name = name;
        Payload = payload;
        ContentType = contentType;
        Attributes = attributes;
        Deadline = deadline;
    }

    /// <summary>Gets the event's id: the caller's, or one the supervisor generated.</summary>
    public string Id { get; }

    /// <summary>Gets the event's name, e.g. <c>customer.created</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the event's body. Valid only until the handler returns.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the body's media type; empty when the caller gave none.</summary>
    public string ContentType { get; }

    /// <summary>Gets the caller's metadata.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>Gets when the caller stops waiting (UTC), or <see cref="DateTime.MaxValue"/> when it has no deadline.</summary>
    public DateTime Deadline { get; }
}
