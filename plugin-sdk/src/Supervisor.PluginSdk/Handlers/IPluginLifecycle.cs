namespace Supervisor.PluginSdk;

/// <summary>
/// Start and stop hooks, for a plugin that opens something before its first call (a connection, a cache) and closes
/// it when the process is drained. Implement it beside <see cref="IPlugin"/> (or on a <see cref="SynchronousPlugin"/>
/// or <see cref="JsonPlugin{TState}"/>); the shim finds it on the plugin object.
/// </summary>
public interface IPluginLifecycle
{
    /// <summary>
    /// Runs once before the process announces it is ready, so the first call sees what it set up. If it throws, the
    /// process prints the exception's type and message on stderr and exits with
    /// <see cref="PluginHost.StartHookFailedExitCode"/>; the supervisor counts that as a failed start, with the message.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the process is told to stop before it is ready.</param>
    /// <returns>A task that completes when the plugin can take calls.</returns>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs once on a drain (the supervisor's <c>Shutdown</c>, SIGTERM or SIGINT), after the in-flight handlers have
    /// finished or the grace ran out. Not run when stdin reaches end of file: the supervisor is gone, nobody waits.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancelled when the drain's grace ends, and never sooner than <see cref="PluginHost.StopHookMinimumGrace"/> after
    /// the hook starts (a <c>Shutdown</c> with no in-flight call carries a zero grace). The process exits then whether
    /// or not the hook has returned.
    /// </param>
    /// <returns>A task that completes when the plugin has released what it holds.</returns>
    Task StopAsync(CancellationToken cancellationToken);
}
