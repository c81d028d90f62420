namespace Supervisor.Configuration;

/// <summary>
/// What a reloaded configuration changes for one plugin, sorted by how it can be applied without failing a call:
/// in place (read again by the next call, liveness poll or restart), by a rolling recycle of the plugin's instances
/// (what a process receives when it starts), by adding or retiring instances, or by a roll to another version.
/// </summary>
internal sealed class PluginOptionsDiff
{
    private PluginOptionsDiff(bool version, bool instances, IReadOnlyList<string> recycle, IReadOnlyList<string> live, bool dependsOn)
    {
        Version = version;
        Instances = instances;
        Recycle = recycle;
        Live = live;
        DependsOn = dependsOn;
    }

    /// <summary>Gets whether <c>Version</c> changed: the plugin rolls to the new one.</summary>
    public bool Version { get; }

    /// <summary>Gets whether <c>Instances</c> changed.</summary>
    public bool Instances { get; }

    /// <summary>Gets the changed keys a process only reads when it starts (its settings, sandbox limits, bulkhead sizes).</summary>
    public IReadOnlyList<string> Recycle { get; }

    /// <summary>Gets the changed keys applied in place, for new calls and restarts.</summary>
    public IReadOnlyList<string> Live { get; }

    /// <summary>Gets whether <c>DependsOn</c> changed (it orders the next start and stop; nothing restarts for it).</summary>
    public bool DependsOn { get; }

    public bool IsEmpty => !Version && !Instances && Recycle.Count == 0 && Live.Count == 0 && !DependsOn;

    public static PluginOptionsDiff Between(PluginOptions current, PluginOptions next)
    {
        var recycle = new List<string>();
        var live = new List<string>();
        void Check<T>(List<string> into, string key, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                into.Add(key);
            }
        }

        if (!SameSettings(current.Settings, next.Settings))
        {
            recycle.Add(nameof(PluginOptions.Settings));
        }

        Check(recycle, nameof(PluginOptions.MaxConcurrency), current.MaxConcurrency, next.MaxConcurrency);
        Check(recycle, nameof(PluginOptions.QueueLimit), current.QueueLimit, next.QueueLimit);
        Check(recycle, nameof(PluginOptions.MemoryLimitMb), current.MemoryLimitMb, next.MemoryLimitMb);
        Check(recycle, nameof(PluginOptions.CpuLimit), current.CpuLimit, next.CpuLimit);
        Check(recycle, nameof(PluginOptions.MaxProcesses), current.MaxProcesses, next.MaxProcesses);
        Check(recycle, nameof(PluginOptions.MaxOpenFiles), current.MaxOpenFiles, next.MaxOpenFiles);
        Check(recycle, nameof(PluginOptions.User), current.User, next.User);
        Check(recycle, nameof(PluginOptions.Network), current.Network, next.Network);

        Check(live, nameof(PluginOptions.Deadline), current.Deadline, next.Deadline);
        Check(live, nameof(PluginOptions.HangGrace), current.HangGrace, next.HangGrace);
        Check(live, nameof(PluginOptions.LivenessInterval), current.LivenessInterval, next.LivenessInterval);
        Check(live, nameof(PluginOptions.LivenessTimeout), current.LivenessTimeout, next.LivenessTimeout);
        Check(live, nameof(PluginOptions.RestartDelay), current.RestartDelay, next.RestartDelay);
        Check(live, nameof(PluginOptions.RestartMaxDelay), current.RestartMaxDelay, next.RestartMaxDelay);
        Check(live, nameof(PluginOptions.MaxRestarts), current.MaxRestarts, next.MaxRestarts);
        Check(live, nameof(PluginOptions.RestartWindow), current.RestartWindow, next.RestartWindow);
        Check(live, nameof(PluginOptions.StartupTimeout), current.StartupTimeout, next.StartupTimeout);
        Check(live, nameof(PluginOptions.DrainTimeout), current.DrainTimeout, next.DrainTimeout);
        Check(live, nameof(PluginOptions.MaxPayloadBytes), current.MaxPayloadBytes, next.MaxPayloadBytes);
        Check(live, nameof(PluginOptions.Idempotent), current.Idempotent, next.Idempotent);
        Check(live, nameof(PluginOptions.AutoRoll), current.AutoRoll, next.AutoRoll);
        if (!SameCanary(current.Canary, next.Canary))
        {
            live.Add(nameof(PluginOptions.Canary));
        }

        return new PluginOptionsDiff(
            !string.Equals(current.Version, next.Version, StringComparison.Ordinal),
            current.Instances != next.Instances,
            recycle,
            live,
            !current.DependsOn.SequenceEqual(next.DependsOn, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Copies the keys applied in place (and <c>DependsOn</c>) from <paramref name="next"/> into <paramref name="target"/>.</summary>
    public static void ApplyLive(PluginOptions target, PluginOptions next)
    {
        target.Deadline = next.Deadline;
        target.HangGrace = next.HangGrace;
        target.LivenessInterval = next.LivenessInterval;
        target.LivenessTimeout = next.LivenessTimeout;
        target.RestartDelay = next.RestartDelay;
        target.RestartMaxDelay = next.RestartMaxDelay;
        target.MaxRestarts = next.MaxRestarts;
        target.RestartWindow = next.RestartWindow;
        target.StartupTimeout = next.StartupTimeout;
        target.DrainTimeout = next.DrainTimeout;
        target.MaxPayloadBytes = next.MaxPayloadBytes;
        target.Idempotent = next.Idempotent;
        target.AutoRoll = next.AutoRoll;
        target.Canary = next.Canary.Clone();
        target.DependsOn = [.. next.DependsOn];
    }

    /// <summary>
    /// Copies the keys a process reads when it starts: instances started from here on get them. Each is replaced whole
    /// (a new dictionary, not an edited one), so a start that reads them meanwhile sees the old value or the new.
    /// </summary>
    public static void ApplyRecycle(PluginOptions target, PluginOptions next)
    {
        target.Settings = new Dictionary<string, string>(next.Settings, StringComparer.Ordinal);
        target.MaxConcurrency = next.MaxConcurrency;
        target.QueueLimit = next.QueueLimit;
        target.MemoryLimitMb = next.MemoryLimitMb;
        target.CpuLimit = next.CpuLimit;
        target.MaxProcesses = next.MaxProcesses;
        target.MaxOpenFiles = next.MaxOpenFiles;
        target.User = next.User;
        target.Network = next.Network;
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Version)
        {
            parts.Add("Version (a roll)");
        }

        if (Instances)
        {
            parts.Add("Instances");
        }

        if (Recycle.Count > 0)
        {
            parts.Add($"{string.Join(", ", Recycle)} (a rolling recycle)");
        }

        if (Live.Count > 0)
        {
            parts.Add($"{string.Join(", ", Live)} (in place)");
        }

        if (DependsOn)
        {
            parts.Add("DependsOn");
        }

        return string.Join("; ", parts);
    }

    private static bool SameSettings(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));

    private static bool SameCanary(CanaryOptions a, CanaryOptions b) =>
        a.Steps.SequenceEqual(b.Steps) && a.Interval == b.Interval && a.MaxFailureRate.Equals(b.MaxFailureRate)
        && a.MaxP99 == b.MaxP99 && a.MaxP99Ratio.Equals(b.MaxP99Ratio) && a.MinCalls == b.MinCalls;
}
