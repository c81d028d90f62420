using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>
/// Which versions of a plugin take new calls: the stable one, and during a canary step the new one with
/// <see cref="CanaryPercent"/> of the calls. Immutable: a step swaps the whole split, so a call sees one or the other.
/// </summary>
internal sealed record TrafficSplit(PluginRuntime Stable, PluginRuntime? Canary = null, int CanaryPercent = 0)
{
    /// <summary>Gets the versions that take calls: the stable one, and the canary when there is one.</summary>
    public PluginRuntime[] Versions => Canary is null ? [Stable] : [Stable, Canary];
}
