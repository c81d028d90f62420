namespace Supervisor.PluginSdk;

/// <summary>Moves a synchronous handler off the request thread.</summary>
internal static class SynchronousInvoker
{
    public static Task<PluginReply> Run(SynchronousPlugin plugin, PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            static state =>
            {
                var call = (SynchronousCall)state!;
                return call.Plugin.HandleEvent(call.Event, call.CancellationToken);
            },
            new SynchronousCall(plugin, pluginEvent, cancellationToken),
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);

    private sealed record SynchronousCall(SynchronousPlugin Plugin, PluginEvent Event, CancellationToken CancellationToken);
}
