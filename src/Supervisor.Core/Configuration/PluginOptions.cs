namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor:Plugins:&lt;name&gt;</c> section: how one plugin runs.</summary>
public sealed class PluginOptions
{
    /// <summary>Gets or sets the version to run; <c>PluginsRoot/&lt;name&gt;/&lt;version&gt;/plugin.json</c> must exist.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>Gets or sets how many processes serve the plugin. Defaults to 1.</summary>
    public int Instances { get; set; } = 1;

    /// <summary>Gets or sets the deadline of a call whose caller set none. Defaults to 30 seconds.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long a handler may run past its deadline before its process counts as hung. Defaults to 1 second.</summary>
    public TimeSpan HangGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many calls one instance handles at once. Defaults to 64.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Gets or sets how many calls may wait for a slot per instance; beyond it calls fail at once with RESOURCE_EXHAUSTED. Defaults to 128.</summary>
    public int QueueLimit { get; set; } = 128;

    /// <summary>Gets or sets how often a ready instance is asked for its liveness and checked for memory. Defaults to 1 second.</summary>
    public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a liveness poll may take; two unanswered polls in a row make the instance hung. Defaults to 1 second.</summary>
    public TimeSpan LivenessTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the first restart delay after an exit. Defaults to 100 ms.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the longest restart delay. Defaults to 30 seconds.</summary>
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many restarts within <see cref="RestartWindow"/> quarantine the plugin. Defaults to 5.</summary>
    public int MaxRestarts { get; set; } = 5;

    /// <summary>Gets or sets the window over which restarts are counted. Defaults to 60 seconds.</summary>
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long a new process has to print its ready line. Defaults to 10 seconds.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a draining instance's in-flight calls may run. Defaults to 30 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the memory limit per instance in MB, counting everything the instance started; 0 for none. With a
    /// memory cgroup it is a hard cap (the kernel kills the instance at it); without one, the instance's resident
    /// memory is polled every <see cref="LivenessInterval"/> and an instance over it is recycled. Defaults to 0.
    /// </summary>
    public int MemoryLimitMb { get; set; }

    /// <summary>Gets or sets the CPU each instance may use, in cores (<c>0.5</c> is half a core); 0 for no limit. Defaults to 0.</summary>
    public double CpuLimit { get; set; }

    /// <summary>Gets or sets how many processes and threads each instance may have at once; 0 for no limit. Defaults to 0.</summary>
    public int MaxProcesses { get; set; }

    /// <summary>Gets or sets how many files each process of the plugin may hold open (RLIMIT_NOFILE). Defaults to 4096.</summary>
    public int MaxOpenFiles { get; set; } = 4096;

    /// <summary>
    /// Gets or sets the user the plugin runs as under the sandbox: a name from <c>/etc/passwd</c>, a uid, or
    /// <c>uid:gid</c>; <see langword="null"/> for an id of its own from <c>Sandbox:UidRange</c>.
    /// </summary>
    public string? User { get; set; }

    /// <summary>
    /// Gets or sets whether the plugin may use the network. <see langword="false"/> gives each instance a network
    /// namespace of its own, with only loopback (its Unix socket still works). Defaults to <see langword="true"/>.
    /// </summary>
    public bool Network { get; set; } = true;

    /// <summary>
    /// Gets or sets the largest event payload the plugin takes, in bytes; a dispatch with a larger one is refused with
    /// RESOURCE_EXHAUSTED before it is routed. Defaults to 4 MiB.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets whether calls may be retried on another instance after any failure. Defaults to <see langword="false"/>.</summary>
    public bool Idempotent { get; set; }

    /// <summary>Gets or sets how a canary roll (<c>RollPlugin</c> with strategy canary) moves traffic and judges the new version.</summary>
    public CanaryOptions Canary { get; set; } = new();

    /// <summary>
    /// Gets or sets whether a new, complete version folder under <c>PluginsRoot/&lt;name&gt;/</c> with a higher semantic
    /// version than the active one is rolled to by itself, and with which strategy. Defaults to <see cref="AutoRollMode.Off"/>.
    /// </summary>
    public AutoRollMode AutoRoll { get; set; } = AutoRollMode.Off;

    /// <summary>Gets the settings passed to the plugin as <c>SUPERVISOR_PLUGIN_SETTINGS</c>.</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Gets the plugins this one needs: it starts once each of them has a ready instance, and stops before them. Each
    /// must be a configured plugin; a cycle is a configuration error.
    /// </summary>
    public List<string> DependsOn { get; set; } = [];

    /// <summary>A copy the supervisor owns: a reload changes it in place, never the caller's options.</summary>
    internal PluginOptions Clone()
    {
        var copy = (PluginOptions)MemberwiseClone();
        copy.Canary = Canary.Clone();
        copy.Settings = new Dictionary<string, string>(Settings, StringComparer.Ordinal);
        copy.DependsOn = [.. DependsOn];
        return copy;
    }
}
