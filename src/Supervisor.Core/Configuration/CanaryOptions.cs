namespace Supervisor.Configuration;

/// <summary>
/// The <c>Supervisor:Plugins:&lt;name&gt;:Canary</c> section: how a canary roll moves traffic and judges the new version.
/// Modelled on Argo Rollouts' <c>setWeight</c>/<c>pause</c> steps and Flagger's analysis thresholds.
/// </summary>
public sealed class CanaryOptions
{
    private static readonly int[] DefaultSteps = [10, 50];

    /// <summary>
    /// Gets or sets the share of calls (percent, ascending, each 1-99) the new version gets at each step; after the last
    /// step passes its analysis every call goes to the new version. Empty (the default) means 10 then 50.
    /// </summary>
    /// <remarks>Empty rather than pre-filled because the configuration binder appends to a list it finds filled.</remarks>
    public List<int> Steps { get; set; } = [];

    /// <summary>Gets or sets how long each step runs before it is analysed. Defaults to 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the failure rate (0-1) the new version may show in a step beyond the old version's in the same step.
    /// Defaults to 0.01.
    /// </summary>
    public double MaxFailureRate { get; set; } = 0.01;

    /// <summary>Gets or sets the highest p99 latency the new version may show in a step; zero for no absolute limit. Defaults to zero.</summary>
    public TimeSpan MaxP99 { get; set; }

    /// <summary>
    /// Gets or sets how many times the old version's p99 the new version's p99 may be in a step (differences under
    /// 1 ms are noise and pass); zero for no comparison. Defaults to 2.
    /// </summary>
    public double MaxP99Ratio { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many calls each version needs in a step before its latency is judged (failures are judged on any
    /// number). Defaults to 20.
    /// </summary>
    public int MinCalls { get; set; } = 20;

    /// <summary>Gets the steps in force: <see cref="Steps"/>, or the default 10 then 50 when it is empty.</summary>
    internal IReadOnlyList<int> EffectiveSteps => Steps.Count > 0 ? Steps : DefaultSteps;

    internal CanaryOptions Clone()
    {
        var copy = (CanaryOptions)MemberwiseClone();
        copy.Steps = [.. Steps];
        return copy;
    }
}
