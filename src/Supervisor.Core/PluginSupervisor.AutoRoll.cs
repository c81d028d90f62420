using Supervisor.Configuration;
using Supervisor.Deployments;

namespace Supervisor;

/// <content>
/// AutoRoll: a watcher per plugin that opted in, started once the plugins run, kept in step with the configuration by
/// every reload (a plugin added, removed, or its AutoRoll changed), and stopped before the plugins stop.
/// </content>
public sealed partial class PluginSupervisor
{
    private readonly List<AutoRoller> _autoRollers = [];

    /// <summary>The AutoRoll watcher of <paramref name="plugin"/>, or <see langword="null"/> when it is off.</summary>
    internal AutoRoller? AutoRollerOf(string plugin)
    {
        var deployment = Find(plugin);
        lock (_autoRollers)
        {
            return _autoRollers.Find(r => r.Deployment == deployment);
        }
    }

    /// <summary>Starts a watcher for each plugin whose AutoRoll is on and has none (or one of another mode), and stops the rest.</summary>
    private void SyncAutoRoll()
    {
        var stale = new List<AutoRoller>();
        lock (_autoRollers)
        {
            var plugins = Plugins;
            foreach (var roller in _autoRollers.ToList())
            {
                if (!plugins.Values.Contains(roller.Deployment) || roller.Mode != roller.Deployment.Options.AutoRoll)
                {
                    _autoRollers.Remove(roller);
                    stale.Add(roller);
                }
            }

            foreach (var deployment in plugins.Values)
            {
                if (deployment.Options.AutoRoll != AutoRollMode.Off
                    && !_autoRollers.Exists(r => r.Deployment == deployment)
                    && AutoRoller.Start(deployment, _options.PluginsRoot) is { } roller)
                {
                    _autoRollers.Add(roller);
                }
            }
        }

        foreach (var roller in stale)
        {
            // Its roll in progress, if any, goes on: only the watching stops.
            _ = roller.DisposeAsync().AsTask();
        }
    }

    private async Task StopAutoRollAsync()
    {
        AutoRoller[] rollers;
        lock (_autoRollers)
        {
            rollers = [.. _autoRollers];
            _autoRollers.Clear();
        }

        foreach (var roller in rollers)
        {
            await roller.DisposeAsync().ConfigureAwait(false);
        }
    }
}
