using Microsoft.Extensions.Logging;

namespace Supervisor.Supervision;

internal sealed partial class PluginRuntime
{


    [LoggerMessage(Level = LogLevel.Error, Message = "Start failed: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string reason);


    [LoggerMessage(Level = LogLevel.Information, Message = "Exited ({Exit})")]
    private static partial void LogExited(ILogger logger, string exit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exited unexpectedly ({Exit}); stderr: {StderrTail}")]
    private static partial void LogExitedUnexpectedly(ILogger logger, string exit, string stderrTail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed (reason: {Reason}): {Detail}")]
    private static partial void LogKilled(ILogger logger, string reason, string detail);


    [LoggerMessage(Level = LogLevel.Error, Message = "Quarantined: {Reason}. Calls fail with UNAVAILABLE until an operator calls RestartPlugin")]
    private static partial void LogQuarantined(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantine of plugin {Plugin} lifted by an operator")]
    private static partial void LogQuarantineLifted(ILogger logger, string plugin);


    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin}: gave up waiting for {What} after {Seconds} s")]
    private static partial void LogStopSlow(ILogger logger, string plugin, string what, double seconds);


    [LoggerMessage(Level = LogLevel.Error, Message = "Releasing instance {InstanceId} after its exit failed")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception, string instanceId);
}
