namespace Supervisor.PluginSdk;

/// <summary>
/// A plugin whose handler is plain synchronous code. Each call runs on a thread-pool thread, so a handler
/// that blocks or loops cannot stop the shim from answering at the deadline; the supervisor kills a process
/// whose handler never returns.
/// </summary>
public abstract class SynchronousPlugin : IPlugin
{
    /// <summary>Handles one event synchronously.</summary>
    /// <param name="pluginEvent">The event the supervisor routed to this process.</param>
    /// <param name="cancellationToken">Cancelled at the call's deadline; honour it where you can.</param>
    /// <returns>The reply sent back to the caller.</returns>
    public abstract PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual IReadOnlyList<string> EventNames => [];

    ValueTask<PluginReply> IPlugin.HandleEventAsync(PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        new(SynchronousInvoker.Run(this, pluginEvent, cancellationToken));
}
