using Microsoft.Extensions.Logging;

namespace Supervisor.Deployments;

internal sealed partial class PluginDeployment
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} starts on {Version}, the version it was rolled to at {RolledAt:u} (configured: {Configured})")]
    private static partial void LogStartingRolled(ILogger logger, string plugin, string version, DateTimeOffset rolledAt, string configured);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} was rolled to {Rolled} when its configured Version was {WasConfigured}; the configuration now says {Configured}, which wins")]
    private static partial void LogConfigurationWins(ILogger logger, string plugin, string rolled, string wasConfigured, string configured);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin} was rolled to {Rolled}, which is no longer usable ({Problem}); starting the configured {Configured}")]
    private static partial void LogRolledVersionMissing(ILogger logger, string plugin, string rolled, string problem, string configured);

    [LoggerMessage(Level = LogLevel.Error, Message = "Plugin {Plugin} now runs {Version}, but the state file {Path} could not be written: {Problem}")]
    private static partial void LogPersistFailed(ILogger logger, string plugin, string version, string path, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} starts {Instances} instance(s), the count an operator scaled it to (configured: {Configured})")]
    private static partial void LogStartingScaled(ILogger logger, string plugin, int instances, int configured);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} was scaled to {Scaled} when its configured Instances was {WasConfigured}; the configuration now says {Configured}, which wins")]
    private static partial void LogConfiguredInstancesWin(ILogger logger, string plugin, int scaled, int wasConfigured, int configured);

    [LoggerMessage(Level = LogLevel.Error, Message = "Plugin {Plugin} was scaled, but the state file {Path} could not be written: {Problem}")]
    private static partial void LogPersistScaleFailed(ILogger logger, string plugin, string path, string problem);
}
