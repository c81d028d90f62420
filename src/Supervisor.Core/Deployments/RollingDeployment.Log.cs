using Microsoft.Extensions.Logging;

namespace Supervisor.Deployments;

internal sealed partial class RollingDeployment
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin} from {From} to {To} started ({Strategy})")]
    private static partial void LogRollStarted(ILogger logger, string plugin, string from, string to, string strategy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin}: {Ready} instance(s) of {To} ready")]
    private static partial void LogVersionReady(ILogger logger, string plugin, string to, int ready);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin}: {Weight}% of calls go to {To}")]
    private static partial void LogWeight(ILogger logger, string plugin, string to, int weight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin}: canary step {Step} {Summary}")]
    private static partial void LogAnalysis(ILogger logger, string plugin, int step, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin}: {From} drained and stopped")]
    private static partial void LogDrained(ILogger logger, string plugin, string from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll of {Plugin} from {From} to {To} completed")]
    private static partial void LogCompleted(ILogger logger, string plugin, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roll of {Plugin} to {To} aborted: {Reason}; {From} serves every call")]
    private static partial void LogAborted(ILogger logger, string plugin, string to, string reason, string from);

    [LoggerMessage(Level = LogLevel.Error, Message = "Roll of {Plugin} to {To} failed unexpectedly")]
    private static partial void LogRollFailed(ILogger logger, Exception exception, string plugin, string to);
}
