using Supervisor.Deployments;

namespace Supervisor;

/// <content>AutoRoll: a watcher per plugin that opted in, started once the plugins run and stopped before they stop.</content>
public sealed partial class PluginSupervisor
{
    private readonly List<AutoRoller> _autoRollers = [];

    /// <summary>The AutoRoll watcher of <paramref name="plugin"/>, or <see langword="null"/> when it is off.</summary>
    internal AutoRoller? AutoRollerOf(string plugin)
    {
        var deployment = Find(plugin);
        lock (_autoRollers)
        {
            return _autoRollers.Find(r => r.Plugin == deployment.Name);
        }
    }

    private void StartAutoRoll()
    {
        lock (_autoRollers)
        {
            foreach (var deployment in _plugins.Values)
            {
                if (AutoRoller.Start(deployment, _options.PluginsRoot) is { } roller)
                {
                    _autoRollers.Add(roller);
                }
            }
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
