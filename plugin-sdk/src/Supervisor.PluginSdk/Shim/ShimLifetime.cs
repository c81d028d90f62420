using Microsoft.Extensions.Logging;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Draining and exit: stop taking calls, let in-flight handlers finish within a grace of the shim's own
/// (the supervisor waits only the grace plus 2 s), then end the process. The health service answers <c>SERVING</c>
/// until then and <c>NOT_SERVING</c> from the moment the shim stops taking calls (<see cref="Draining"/>).
/// </summary>
internal sealed partial class ShimLifetime
{
    private readonly InFlightTracker _inFlight;
    private readonly LifecycleHooks _hooks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drainStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _draining;

    public ShimLifetime(InFlightTracker inFlight, LifecycleHooks hooks, TimeProvider time, ILogger logger)
    {
        _inFlight = inFlight;
        _hooks = hooks;
        _time = time;
        _logger = logger;
    }

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Completes when the shim stops taking calls (a drain or an exit).</summary>
    public Task Draining => _drainStarted.Task;

    /// <summary>Completes with the process exit code once the shim has decided to stop.</summary>
    public Task<int> Exited => _exit.Task;

    /// <summary>Starts a drain once; later calls return the first drain's completion.</summary>
    public Task<int> DrainAsync(TimeSpan grace, string reason)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 0)
        {
            _drainStarted.TrySetResult();
            _ = DrainCoreAsync(grace, reason);
        }

        return _exit.Task;
    }

    /// <summary>Exits without draining: nobody is left to read the replies.</summary>
    public void ExitNow(string reason, int exitCode)
    {
        Interlocked.Exchange(ref _draining, 1);
        _drainStarted.TrySetResult();
        LogExitingNow(_logger, reason);
        _exit.TrySetResult(exitCode);
    }

    private async Task DrainCoreAsync(TimeSpan grace, string reason)
    {
        LogDraining(_logger, reason, _inFlight.Count, grace.TotalMilliseconds);
        var deadline = _time.GetUtcNow() + grace;
        var idle = await _inFlight.WaitIdleAsync(grace, CancellationToken.None).ConfigureAwait(false);
        if (!idle)
        {
            LogDrainTimedOut(_logger, _inFlight.Count);
        }

        // After the handlers: a stop hook that closes what they use must not pull it from under them.
        await _hooks.StopAsync(deadline, _time, _logger).ConfigureAwait(false);
        _exit.TrySetResult(0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining ({Reason}): {InFlight} handler(s) in flight, grace {GraceMs} ms")]
    private static partial void LogDraining(ILogger logger, string reason, int inFlight, double graceMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain grace ended with {InFlight} handler(s) still running; exiting anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exiting now: {Reason}")]
    private static partial void LogExitingNow(ILogger logger, string reason);
}
