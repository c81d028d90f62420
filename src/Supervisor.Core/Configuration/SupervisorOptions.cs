namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor</c> section of <c>supervisor.json</c>.</summary>
public sealed class SupervisorOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Supervisor";

    /// <summary>Gets or sets the folder holding <c>&lt;name&gt;/&lt;version&gt;/plugin.json</c>. Relative paths are resolved against the configuration file's folder.</summary>
    public string PluginsRoot { get; set; } = "plugins";

    /// <summary>Gets or sets the folder for the supervisor's persisted state. Relative paths are resolved against the configuration file's folder.</summary>
    public string StateDirectory { get; set; } = "state";

    /// <summary>Gets or sets the private folder for plugin sockets. Defaults to a fresh folder under <c>$XDG_RUNTIME_DIR</c> or the temp folder.</summary>
    public string? RuntimeDirectory { get; set; }

    /// <summary>Gets or sets how long in-flight calls may finish at shutdown. Defaults to 10 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the events API listener.</summary>
    public EventsOptions Events { get; set; } = new();

    /// <summary>Gets or sets the admin API listener and its credentials.</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>Gets or sets how plugins are sandboxed.</summary>
    public SandboxOptions Sandbox { get; set; } = new();

    /// <summary>Gets or sets the probes and metrics listener.</summary>
    public MonitoringOptions Monitoring { get; set; } = new();

    /// <summary>
    /// Gets or sets whether every plugin under <see cref="PluginsRoot"/> that <see cref="Plugins"/> does not list also runs,
    /// with default settings, on its highest complete version (semantic-version order). Defaults to <see langword="false"/>.
    /// </summary>
    public bool Discover { get; set; }

    /// <summary>Gets the plugins to run, by name.</summary>
    public Dictionary<string, PluginOptions> Plugins { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
