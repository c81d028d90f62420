using Supervisor.PluginSdk;

return await PluginHost.RunAsync<Echo>(args);

/// <summary>Returns every event's payload unchanged; version 2 also says which version answered.</summary>
internal sealed class Echo : IPlugin
{
#if ECHO_V2
    private static readonly IReadOnlyDictionary<string, string> VersionAttribute = new Dictionary<string, string> { ["echo-version"] = "2.0.0" };

    public ValueTask<PluginReply> HandleEventAsync(PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PluginReply(pluginEvent.Payload, pluginEvent.ContentType, VersionAttribute));
#else
    public ValueTask<PluginReply> HandleEventAsync(PluginEvent pluginEvent, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PluginReply(pluginEvent.Payload, pluginEvent.ContentType));
#endif
}
