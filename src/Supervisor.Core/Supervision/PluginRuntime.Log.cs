using Microsoft.Extensions.Logging;

namespace Supervisor.Supervision;

internal sealed partial class PluginRuntime
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Started plugin process from {Manifest}")]
    private static partial void LogStarted(ILogger logger, string manifest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready in {ElapsedMs:0} ms at {Address} ({Sdk} SDK {SdkVersion})")]
    private static partial void LogReady(ILogger logger, double elapsedMs, string address, string sdk, string sdkVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Start failed: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not start plugin {Plugin} {Version} (instance {InstanceId}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string plugin, string version, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exited ({Exit})")]
    private static partial void LogExited(ILogger logger, string exit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exited unexpectedly ({Exit}); stderr: {StderrTail}")]
    private static partial void LogExitedUnexpectedly(ILogger logger, string exit, string stderrTail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed (reason: {Reason}): {Detail}")]
    private static partial void LogKilled(ILogger logger, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recycling instance {InstanceId} (reason: {Reason}): {Detail}")]
    private static partial void LogRecycling(ILogger logger, string instanceId, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quarantined: {Reason}. Calls fail with UNAVAILABLE until an operator calls RestartPlugin")]
    private static partial void LogQuarantined(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantine of plugin {Plugin} lifted by an operator")]
    private static partial void LogQuarantineLifted(ILogger logger, string plugin);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Supervision of plugin {Plugin} slot {Slot} failed; the slot is no longer supervised")]
    private static partial void LogSlotFailed(ILogger logger, Exception exception, string plugin, int slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin}: gave up waiting for {What} after {Seconds} s")]
    private static partial void LogStopSlow(ILogger logger, string plugin, string what, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restart of plugin {Plugin} slot {Slot} scheduled in {DelayMs:0} ms")]
    private static partial void LogRestartScheduled(ILogger logger, string plugin, int slot, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Releasing instance {InstanceId} after its exit failed")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception, string instanceId);
}
