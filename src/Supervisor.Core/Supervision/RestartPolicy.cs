using Supervisor.Configuration;

namespace Supervisor.Supervision;

/// <summary>
/// When to start an exited instance again, and when to give up. Backoff per slot, intensity per plugin:
/// <list type="bullet">
/// <item>Backoff (systemd <c>RestartSec</c>/<c>RestartSteps</c>/<c>RestartMaxDelaySec</c>, Kubernetes
/// CrashLoopBackOff): <c>RestartDelay</c> doubling per consecutive failure up to <c>RestartMaxDelay</c>, with
/// ±20% jitter so a fleet of crashing instances does not restart in lock step; reset once an instance has run
/// <see cref="CleanRunReset"/> without exiting.</item>
/// <item>Intensity (Erlang/OTP <c>intensity</c> and <c>period</c>): more than <c>MaxRestarts</c> restarts within
/// <c>RestartWindow</c>, counted across all of the plugin's instances, quarantines the plugin.</item>
/// </list>
/// </summary>
internal sealed class RestartPolicy
{
    /// <summary>How long an instance must run before its backoff starts over.</summary>
    public static readonly TimeSpan CleanRunReset = TimeSpan.FromSeconds(60);

    private const double Jitter = 0.2;
    private readonly PluginOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly Queue<DateTimeOffset> _recentRestarts = new();
    private readonly Lock _gate = new();

    public RestartPolicy(PluginOptions options, TimeProvider time, Func<double>? random = null)
    {
        _options = options;
        _time = time;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Decides what follows an exit.</summary>
    /// <param name="consecutiveFailures">The slot's exits in a row without a clean run, this one included (1 for the first).</param>
    /// <param name="ranFor">How long the exited instance ran.</param>
    public RestartDecision OnExit(int consecutiveFailures, TimeSpan ranFor)
    {
        var step = ranFor >= CleanRunReset ? 1 : Math.Max(1, consecutiveFailures);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            while (_recentRestarts.Count > 0 && now - _recentRestarts.Peek() > _options.RestartWindow)
            {
                _recentRestarts.Dequeue();
            }

            if (_recentRestarts.Count >= _options.MaxRestarts)
            {
                return RestartDecision.Quarantine(_recentRestarts.Count);
            }

            _recentRestarts.Enqueue(now);
        }

        return RestartDecision.RestartAfter(Delay(step), step);
    }

    /// <summary>Forgets past restarts: an operator lifted the quarantine.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _recentRestarts.Clear();
        }
    }

    /// <summary>The delay before the <paramref name="step"/>-th consecutive restart (1-based), before jitter is capped.</summary>
    internal TimeSpan Delay(int step)
    {
        var baseTicks = (double)_options.RestartDelay.Ticks * Math.Pow(2, Math.Min(step - 1, 62));
        var capped = Math.Min(baseTicks, _options.RestartMaxDelay.Ticks);
        var jittered = capped * (1 + (((_random() * 2) - 1) * Jitter));
        return TimeSpan.FromTicks((long)Math.Clamp(jittered, 0, _options.RestartMaxDelay.Ticks));
    }
}

/// <summary>What follows an instance's exit.</summary>
/// <param name="Quarantined">True when the plugin has restarted too often and must wait for an operator.</param>
/// <param name="Delay">How long to wait before starting the instance again.</param>
/// <param name="Step">The consecutive failure count the delay was computed for.</param>
/// <param name="RecentRestarts">The restarts counted in the window, when quarantined.</param>
internal readonly record struct RestartDecision(bool Quarantined, TimeSpan Delay, int Step, int RecentRestarts)
{
    public static RestartDecision RestartAfter(TimeSpan delay, int step) => new(false, delay, step, 0);

    public static RestartDecision Quarantine(int recentRestarts) => new(true, TimeSpan.Zero, 0, recentRestarts);
}
