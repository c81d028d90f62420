using Microsoft.Extensions.Logging;

namespace Supervisor.PluginSdk.Shim;

/// <summary>Runs the plugin's <see cref="IPluginLifecycle"/> hooks, if it has them, where the protocol places them.</summary>
internal sealed partial class LifecycleHooks(IPluginLifecycle? hooks)
{
    /// <summary>Runs the start hook; a failure goes to stderr as one plain line, which the supervisor quotes in its start failure.</summary>
    /// <returns>Whether the plugin may go on to serve.</returns>
    public static async Task<bool> StartAsync(IPluginLifecycle hooks, string plugin, CancellationToken cancellationToken)
    {
        try
        {
            await hooks.StartAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"{plugin}: the start hook failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Runs the stop hook until it returns or its token is cancelled (<paramref name="deadline"/>, at least <see cref="PluginHost.StopHookMinimumGrace"/> away).</summary>
    public async Task StopAsync(DateTimeOffset deadline, TimeProvider time, ILogger logger)
    {
        if (hooks is null)
        {
            return;
        }

        var budget = deadline - time.GetUtcNow();
        using var cancellation = new CancellationTokenSource(budget > PluginHost.StopHookMinimumGrace ? budget : PluginHost.StopHookMinimumGrace, time);
        try
        {
            // A hook that ignores its token must not hold the exit up: the wait ends at the cancellation.
            await hooks.StopAsync(cancellation.Token).WaitAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            LogStopHookCancelled(logger);
        }
        catch (Exception ex)
        {
            LogStopHookFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stop hook did not finish within the drain's grace; exiting anyway")]
    private static partial void LogStopHookCancelled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stop hook failed")]
    private static partial void LogStopHookFailed(ILogger logger, Exception exception);
}
