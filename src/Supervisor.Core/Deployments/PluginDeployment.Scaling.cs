using Supervisor.Configuration;

namespace Supervisor.Deployments;

/// <summary>
/// How many instances serve: the configuration's <c>Instances</c>, or an operator's <c>ScalePlugin</c>, which is persisted
/// and holds until the configuration's own <c>Instances</c> changes (as a roll holds until its <c>Version</c> does).
/// </summary>
internal sealed partial class PluginDeployment
{
    /// <summary>Scales the plugin to <paramref name="instances"/> and persists it, so a restarted supervisor keeps it.</summary>
    /// <returns>The count before, and why the scale could not be persisted (or <see langword="null"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instances"/> is outside 1 to <see cref="SupervisorOptionsValidator.MaxInstances"/>.</exception>
    /// <exception cref="InvalidOperationException">A roll is running, or the supervisor is stopping.</exception>
    public async Task<(int Previous, string? PersistProblem)> ScaleAsync(int instances, CancellationToken cancellationToken)
    {
        if (instances is < 1 or > SupervisorOptionsValidator.MaxInstances)
        {
            throw new ArgumentOutOfRangeException(nameof(instances), instances, $"plugin '{Name}' can be scaled to 1 to {SupervisorOptionsValidator.MaxInstances} instances, not {instances}");
        }

        var previous = ResizeTo(instances);
        var problem = PersistScale(new PluginScale(instances, ConfiguredInstances));
        await Active.ScaleAsync(instances).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (previous, problem);
    }

    /// <summary>
    /// The configuration's <c>Instances</c> changed: it wins over an operator's scale, which is forgotten.
    /// </summary>
    internal Task ApplyConfiguredInstancesAsync(int instances)
    {
        ConfiguredInstances = instances;
        ResizeTo(instances);
        PersistScale(null);
        return Active.ScaleAsync(instances);
    }

    private int ResizeTo(int instances)
    {
        lock (_gate)
        {
            if (IsStopping)
            {
                throw new InvalidOperationException($"plugin '{Name}' is stopping");
            }

            if (_roll is { IsRunning: true } roll)
            {
                throw new InvalidOperationException($"plugin '{Name}' is rolling from {roll.From} to {roll.To} ({roll.Describe()}); scale it once the roll has completed");
            }

            var previous = Options.Instances;
            Options.Instances = instances;
            return previous;
        }
    }

    private string? PersistScale(PluginScale? scale)
    {
        var entry = _state.Find(Name);
        if (entry?.Scale == scale)
        {
            return null;
        }

        try
        {
            _state.Record(Name, entry is null
                ? new PluginDesiredState(Active.Version, Volatile.Read(ref _previousVersion), Options.Version, _time.GetUtcNow(), scale)
                : entry with { Scale = scale, UpdatedAt = _time.GetUtcNow() });
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogPersistScaleFailed(_logger, Name, _state.Path, ex.Message);
            return $"could not persist the scale to {_state.Path}: {ex.Message}; a restarted supervisor would start {ConfiguredInstances} instance(s)";
        }
    }

    private int InitialInstances()
    {
        if (_state.Find(Name)?.Scale is not { } scale)
        {
            return ConfiguredInstances;
        }

        if (scale.ConfiguredInstances != ConfiguredInstances)
        {
            LogConfiguredInstancesWin(_logger, Name, scale.Instances, scale.ConfiguredInstances, ConfiguredInstances);
            return ConfiguredInstances;
        }

        if (scale.Instances is < 1 or > SupervisorOptionsValidator.MaxInstances)
        {
            return ConfiguredInstances;
        }

        if (scale.Instances != ConfiguredInstances)
        {
            LogStartingScaled(_logger, Name, scale.Instances, ConfiguredInstances);
        }

        return scale.Instances;
    }
}
