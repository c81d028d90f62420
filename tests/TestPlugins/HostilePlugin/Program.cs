using System.Text;
using System.Text.Json;
using Supervisor.PluginSdk;

return await PluginHost.RunAsync(args, _ => new Hostile());

/// <summary>
/// Attacks its host on request: <c>probe</c> tries every escape a plugin has been found to have and reports each
/// (<see cref="Attempt"/>); <c>daemonize</c> leaves a double-forked, setsid'd, signal-deaf process behind;
/// <c>child-alloc</c> has a child process take more memory than any test's limit; <c>spawn</c> starts as many
/// children as it can.
/// </summary>
internal sealed class Hostile : SynchronousPlugin
{
    public override IReadOnlyList<string> EventNames { get; } = ["probe", "daemonize", "child-alloc", "spawn", "whoami"];

    public override PluginReply HandleEvent(PluginEvent pluginEvent, CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetString(pluginEvent.Payload.Span);
        return pluginEvent.Name switch
        {
            "probe" => Json(Escapes.TryAll(JsonSerializer.Deserialize(text, HostileJsonContext.Default.Targets)!, cancellationToken)),
            "daemonize" => PluginReply.FromText(Daemons.Leave(text)),
            "child-alloc" => PluginReply.FromText(Daemons.Allocate(text)),
            "spawn" => PluginReply.FromText(Daemons.Spawn(text)),
            "whoami" => PluginReply.FromText(File.ReadAllText("/proc/self/status")),
            _ => throw new ArgumentException($"hostile does not know '{pluginEvent.Name}'"),
        };
    }

    private static PluginReply Json(List<Attempt> attempts) =>
        new(JsonSerializer.SerializeToUtf8Bytes(attempts, HostileJsonContext.Default.ListAttempt), "application/json");
}
