using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Processes;

namespace Supervisor;

/// <content><c>DependsOn</c>: a plugin starts once each of its dependencies has a ready instance, and stops before them.</content>
public sealed partial class PluginSupervisor
{
    /// <summary>
    /// Starts <paramref name="starting"/>, each once its dependencies are ready. Completes when every plugin whose
    /// dependencies became ready has made its first start attempt; a plugin whose dependency is still not ready after
    /// that dependency's first attempt goes on waiting in the background, and starts when it is.
    /// </summary>
    private async Task StartInOrderAsync(IReadOnlyDictionary<string, PluginDeployment> starting, CancellationToken cancellationToken)
    {
        var processes = _processes!;
        var all = Plugins;
        var firstAttempts = new Dictionary<string, Task<bool>>(StringComparer.OrdinalIgnoreCase);
        foreach (var wave in DependencyOrder.Waves(starting.ToDictionary(p => p.Key, p => p.Value.Options, StringComparer.OrdinalIgnoreCase)))
        {
            foreach (var name in wave)
            {
                var deployment = starting[name];
                var dependencies = deployment.Options.DependsOn.Select(d => all.GetValueOrDefault(d)).OfType<PluginDeployment>().ToArray();
                var earlier = dependencies.Select(d => firstAttempts.GetValueOrDefault(d.Name)).OfType<Task<bool>>().ToArray();
                firstAttempts[name] = StartAfterAsync(deployment, dependencies, earlier, processes, cancellationToken);
            }
        }

        await Task.WhenAll(firstAttempts.Values).ConfigureAwait(false);
    }

    /// <returns>Whether the plugin started; <see langword="false"/> when it waits for a dependency in the background.</returns>
    private async Task<bool> StartAfterAsync(PluginDeployment deployment, PluginDeployment[] dependencies, Task<bool>[] earlier, ProcessLauncher processes, CancellationToken cancellationToken)
    {
        await Task.WhenAll(earlier).ConfigureAwait(false);
        var notReady = dependencies.Where(d => !d.IsReady).Select(d => d.Name).ToArray();
        if (notReady.Length == 0)
        {
            if (dependencies.Length > 0)
            {
                LogDependenciesReady(_logger, deployment.Name, string.Join(", ", dependencies.Select(d => d.Name)));
            }

            await deployment.StartAsync(processes, cancellationToken).ConfigureAwait(false);
            return true;
        }

        LogWaitingForDependencies(_logger, deployment.Name, string.Join(", ", notReady));
        _ = StartWhenReadyAsync(deployment, dependencies, processes);
        return false;
    }

    private async Task StartWhenReadyAsync(PluginDeployment deployment, PluginDeployment[] dependencies, ProcessLauncher processes)
    {
        try
        {
            await Task.WhenAll(dependencies.Select(d => d.WaitUntilReadyAsync(deployment.Stopping))).ConfigureAwait(false);
            LogDependenciesReady(_logger, deployment.Name, string.Join(", ", dependencies.Select(d => d.Name)));
            await deployment.StartAsync(processes, deployment.Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deployment.IsStopping)
        {
            // Stopped (shutdown, or removed by a reload) before its dependencies were ready.
        }
    }

    /// <summary>Stops plugins in reverse dependency order, every wave within what is left of <paramref name="grace"/>.</summary>
    private async Task StopInOrderAsync(IReadOnlyDictionary<string, PluginDeployment> stopping, TimeSpan grace, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + grace;
        var waves = DependencyOrder.Waves(stopping.ToDictionary(p => p.Key, p => p.Value.Options, StringComparer.OrdinalIgnoreCase));
        for (var i = waves.Count - 1; i >= 0; i--)
        {
            var left = deadline - _time.GetUtcNow();
            var remaining = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            await Task.WhenAll(waves[i].Select(name => stopping[name].StopAsync(remaining, cancellationToken))).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} starts: its dependencies ({Dependencies}) are ready")]
    private static partial void LogDependenciesReady(ILogger logger, string plugin, string dependencies);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin} waits for its dependencies to be ready ({NotReady} not ready); it starts once they are")]
    private static partial void LogWaitingForDependencies(ILogger logger, string plugin, string notReady);
}
