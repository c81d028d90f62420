namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The soak's load and its pace. Callers pause between calls: a soak looks for what time and churn do (leaks,
/// orphans, late answers), not for peak throughput, and the 2-core machine is shared with other sessions.
/// </summary>
internal sealed record SoakSettings(TimeSpan Duration)
{
    public const int DefaultMinutes = 10;

    /// <summary>Gets the callers that dispatch to echo; with <see cref="ChaosCallers"/>, 16 in all.</summary>
    public int EchoCallers { get; } = 12;

    public int ChaosCallers { get; } = 4;

    /// <summary>Gets echo's configured deadline; echo calls carry none, so this default is what applies.</summary>
    public TimeSpan EchoDeadline { get; } = TimeSpan.FromSeconds(3);

    public TimeSpan ChaosMinDeadline { get; } = TimeSpan.FromSeconds(1);

    public TimeSpan ChaosMaxDeadline { get; } = TimeSpan.FromSeconds(2);

    public TimeSpan ChaosMinSleep { get; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ChaosMaxSleep { get; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan EchoPause { get; } = TimeSpan.FromMilliseconds(20);

    // Longer: a chaos call may spin a core (hang) or start a process (crash); a few a second are plenty of churn.
    public TimeSpan ChaosPause { get; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets how late past its deadline a call may be answered and still count as answered in time.</summary>
    public TimeSpan LateMargin { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets when the soak gives up on a call past its deadline, so no call runs unbounded; such a call has no answer.</summary>
    public TimeSpan AbandonAfter { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the pause between kills of one random instance, for the whole run.</summary>
    public TimeSpan InstanceKillInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the pause between kills of every instance of echo and of chaos, in the second phase.</summary>
    public TimeSpan PluginKillInterval { get; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets the pause between rolls of echo; the first is half of it into the run, so a one-minute run rolls too.</summary>
    public TimeSpan RollInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets how long a roll may take before the soak counts it as failed (a roll waits for its old instances to drain).</summary>
    public TimeSpan RollTimeout { get; } = TimeSpan.FromSeconds(45);

    /// <summary>Gets how long plugin processes may outlive the stopped host (they leave on their stdin's end of file) before the soak kills them.</summary>
    public TimeSpan LeftoverGrace { get; } = TimeSpan.FromSeconds(2);

    public TimeSpan SampleInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets the allowed drift of the host's RSS and fd count from the start of the second minute to the end of the last.</summary>
    public double FlatTolerance { get; } = 0.10;

    public int Minutes => (int)Math.Round(Duration.TotalMinutes);

    /// <summary>Gets when the second phase (whole plugins killed) starts: half-way.</summary>
    public TimeSpan PluginKillPhaseStart => Duration / 2;
}
