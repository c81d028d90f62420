namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor:Events</c> section: where the events API listens.</summary>
public sealed class EventsOptions
{
    /// <summary>Gets or sets the listen address: <c>http://host:port</c> or <c>unix:///abs/path.sock</c>. Defaults to <c>http://127.0.0.1:7070</c>.</summary>
    public string Listen { get; set; } = "http://127.0.0.1:7070";
}
