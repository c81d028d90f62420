using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Sandbox;

namespace Supervisor;

/// <content>The sandbox: probed once at start, reported per layer, and enforced for <c>Sandbox:Mode</c> required.</content>
public sealed partial class PluginSupervisor
{
    private async Task<SandboxHost> ProbeSandboxAsync()
    {
        var logger = _loggerFactory.CreateLogger("Supervisor.Sandbox");
        var sandbox = SandboxHost.Probe(_options, [_options.StateDirectory, _options.PluginsRoot], logger);
        sandbox.Report(logger, _options.Plugins);
        if (sandbox.Mode != SandboxMode.Required)
        {
            return sandbox;
        }

        var errors = new List<ConfigurationError>();
        foreach (var (name, plugin) in _options.Plugins)
        {
            foreach (var layer in sandbox.Missing(plugin))
            {
                errors.Add(new ConfigurationError(
                    $"{SupervisorOptions.SectionName}:Sandbox:Mode",
                    "options",
                    $"is required, but plugin '{name}' cannot have its {layer.Name} layer on this host: {layer.Detail}"));
            }
        }

        if (errors.Count > 0)
        {
            await sandbox.ReleaseAsync().ConfigureAwait(false);
            throw new SupervisorConfigurationException(errors);
        }

        return sandbox;
    }
}
