using System.Diagnostics;

namespace Supervisor.Benchmarks.Soak;

/// <summary>Time since the load started, and which phase that puts the run in.</summary>
internal sealed class SoakClock
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _pluginKillsFrom;

    public SoakClock(SoakSettings settings) => _pluginKillsFrom = settings.PluginKillPhaseStart;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public SoakPhase Phase => Elapsed < _pluginKillsFrom ? SoakPhase.InstanceKills : SoakPhase.PluginKills;

    /// <summary>Waits until <paramref name="offset"/> after the start (at once if that has passed).</summary>
    public Task DelayUntilAsync(TimeSpan offset, CancellationToken cancellationToken)
    {
        var remaining = offset - Elapsed;
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, cancellationToken) : Task.CompletedTask;
    }
}
