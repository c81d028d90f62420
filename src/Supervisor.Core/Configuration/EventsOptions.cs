namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor:Events</c> section: where the events API listens.</summary>
public sealed class EventsOptions
{
    /// <summary>Gets or sets the listen address: <c>http://host:port</c> or <c>unix:///abs/path.sock</c>. Defaults to <c>http://127.0.0.1:7070</c>.</summary>
    public string Listen { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// Gets or sets the largest request message the events API accepts, in bytes; a larger one is refused with
    /// RESOURCE_EXHAUSTED before it reaches a plugin. Defaults to 4 MiB.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many calls one HTTP/2 connection may have open at once. High, so that the plugins' bulkheads
    /// (<c>MaxConcurrency</c>, <c>QueueLimit</c>) decide what is served, not the transport's queue. Defaults to 4096.
    /// </summary>
    public int MaxConcurrentStreams { get; set; } = 4096;
}
