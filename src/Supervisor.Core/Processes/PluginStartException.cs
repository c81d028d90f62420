namespace Supervisor.Processes;

/// <summary>A plugin process could not be started or did not become ready; the message says why.</summary>
internal sealed class PluginStartException(string message, Exception? inner = null) : Exception(message, inner);
