namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor:Sandbox</c> section: how plugins are contained.</summary>
public sealed class SandboxOptions
{
    /// <summary>Gets or sets how strictly plugins are sandboxed. Defaults to <see cref="SandboxMode.Auto"/>.</summary>
    public SandboxMode Mode { get; set; } = SandboxMode.Auto;

    /// <summary>
    /// Gets or sets the user ids plugins run as, <c>"first-last"</c>: each plugin gets one of its own, kept across
    /// restarts (recorded in the state directory), unless it names a <see cref="PluginOptions.User"/>. The ids need no
    /// entry in <c>/etc/passwd</c>, and must belong to nobody else on the host. Defaults to <c>61000-61999</c>.
    /// </summary>
    public string UidRange { get; set; } = "61000-61999";

    /// <summary>
    /// Gets or sets layers to leave off even where the host allows them: <c>identity</c>, <c>namespaces</c>,
    /// <c>cgroup</c> (which takes <c>cpu</c>, <c>memory</c> and <c>processes</c> with it). For a host where one
    /// misbehaves, and to measure what each costs; <c>required</c> mode does not ask for a layer left off here.
    /// </summary>
    public List<string> Disable { get; set; } = [];

    /// <summary>
    /// Gets or sets further files or folders plugins must not see (inside the mount namespace they are replaced by an
    /// empty one). The state directory, the runtime directory, the plugins root (but for the plugin's own version
    /// folder), the configuration file and the admin socket are always hidden.
    /// </summary>
    public List<string> HiddenPaths { get; set; } = [];
}
