namespace Supervisor.PluginSdk;

/// <summary>
/// A plugin's event handler, asynchronous form. The shim calls it on the request thread, so it must not
/// block; derive from <see cref="SynchronousPlugin"/> for handlers that do.
/// </summary>
public interface IPlugin
{
    /// <summary>Handles one event.</summary>
    /// <param name="pluginEvent">The event the supervisor routed to this process.</param>
    /// <param name="cancellationToken">Cancelled at the call's deadline, or when the caller gives up.</param>
    /// <returns>The reply sent back to the caller.</returns>
    ValueTask<PluginReply> HandleEventAsync(PluginEvent pluginEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The event names this plugin handles, reported by <c>Describe</c>. Empty means every event.
    /// </summary>
    IReadOnlyList<string> EventNames => [];
}
