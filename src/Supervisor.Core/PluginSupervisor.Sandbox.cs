using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Sandbox;

namespace Supervisor;

/// <content>The sandbox: probed once at start, reported per layer, and enforced for <c>Sandbox:Mode</c> required.</content>
public sealed partial class PluginSupervisor
{
    private async Task<SandboxHost> ProbeSandboxAsync()
    {
        var logger = SandboxLogger;
        var sandbox = SandboxHost.Probe(_options, [_options.StateDirectory, _options.PluginsRoot], logger);
        var plugins = Plugins.ToDictionary(p => p.Key, p => p.Value.Options, StringComparer.OrdinalIgnoreCase);
        sandbox.Report(logger, plugins);
        var errors = RequirementErrors(sandbox, plugins);
        if (errors.Count > 0)
        {
            await sandbox.ReleaseAsync().ConfigureAwait(false);
            throw new SupervisorConfigurationException(errors);
        }

        return sandbox;
    }

    /// <summary>A reload's plugins checked against the sandbox probed at start; the new and changed ones are reported.</summary>
    private List<ConfigurationError> SandboxRequirementErrors(IReadOnlyDictionary<string, PluginOptions> plugins)
    {
        var sandbox = _processes!.Sandbox;
        var errors = RequirementErrors(sandbox, plugins);
        if (errors.Count == 0)
        {
            sandbox.Report(SandboxLogger, plugins);
        }

        return errors;
    }

    private ILogger SandboxLogger => _loggerFactory.CreateLogger("Supervisor.Sandbox");

    private static List<ConfigurationError> RequirementErrors(SandboxHost sandbox, IReadOnlyDictionary<string, PluginOptions> plugins)
    {
        var errors = new List<ConfigurationError>();
        if (sandbox.Mode != SandboxMode.Required)
        {
            return errors;
        }

        foreach (var (name, plugin) in plugins)
        {
            foreach (var layer in sandbox.Missing(plugin))
            {
                errors.Add(new ConfigurationError(
                    $"{SupervisorOptions.SectionName}:Sandbox:Mode",
                    "options",
                    $"is required, but plugin '{name}' cannot have its {layer.Name} layer on this host: {layer.Detail}"));
            }
        }

        return errors;
    }
}
