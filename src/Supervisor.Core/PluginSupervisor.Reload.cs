using System.Collections;
using System.Collections.Frozen;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor;

/// <content>
/// Live reconfiguration: a reloaded configuration and an operator's scale, applied without failing a call. A reload is
/// all or nothing up to the point it starts applying: anything invalid, or anything that needs a restart, changes nothing.
/// </content>
public sealed partial class PluginSupervisor
{
    private readonly SemaphoreSlim _reconfiguring = new(1, 1);
    private readonly List<Task> _removals = [];

    /// <summary>
    /// Reads <paramref name="configurationPath"/> and the environment again, validates them exactly as at start, and
    /// applies the result live (see <see cref="ReloadAsync(SupervisorOptions, string, CancellationToken)"/>).
    /// </summary>
    /// <param name="configurationPath">The <c>supervisor.json</c> the supervisor was started with.</param>
    /// <param name="environment">The environment to read overrides from; the process environment when <see langword="null"/>.</param>
    /// <param name="prepare">Completes the loaded options as the embedding application did at start (e.g. the paths it hides from plugins).</param>
    /// <param name="cancellationToken">Stops waiting; what has started applying goes on.</param>
    /// <returns>What changed, one line each.</returns>
    /// <exception cref="SupervisorConfigurationException">The configuration is invalid, or changes a key that needs a restart; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">A plugin the change affects is mid-roll, or the supervisor is stopping; nothing changed.</exception>
    public Task<IReadOnlyList<string>> ReloadAsync(string configurationPath, IDictionary? environment = null, Action<SupervisorOptions>? prepare = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurationPath);
        SupervisorOptions next;
        try
        {
            next = SupervisorConfiguration.Load(configurationPath, environment);
            prepare?.Invoke(next);
        }
        catch (SupervisorConfigurationException ex)
        {
            throw Rejected(ex, configurationPath);
        }

        // Load validated it, naming each key's source (the file or an environment variable): not again.
        return ApplyReloadAsync(next, Path.GetFullPath(configurationPath), validated: true, cancellationToken);
    }

    /// <summary>
    /// Applies a new configuration without failing a call: deadlines, <c>HangGrace</c>, restart policy and the other
    /// per-call keys in place; <c>Settings</c>, bulkhead sizes and sandbox limits by a rolling recycle (a new process
    /// first, then the old one drains); <c>Instances</c> by starting or draining instances; <c>Version</c> by an
    /// immediate roll; a new plugin starts (after its dependencies), and a removed one drains and stops.
    /// </summary>
    /// <param name="options">The new configuration, with absolute paths (as <see cref="SupervisorConfiguration.Load"/> returns it).</param>
    /// <param name="source">Where the configuration came from, for error messages and events.</param>
    /// <param name="cancellationToken">Stops waiting; what has started applying goes on.</param>
    /// <returns>What changed, one line each; empty when nothing did.</returns>
    /// <exception cref="SupervisorConfigurationException">The options are invalid, or change a key that needs a restart; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">A plugin the change affects is mid-roll, or the supervisor is stopping; nothing changed.</exception>
    public Task<IReadOnlyList<string>> ReloadAsync(SupervisorOptions options, string source = "options", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ApplyReloadAsync(options, source, validated: false, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> ApplyReloadAsync(SupervisorOptions options, string source, bool validated, CancellationToken cancellationToken)
    {
        await _reconfiguring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsStopping)
            {
                throw Rejected(new InvalidOperationException("the supervisor is shutting down"), source);
            }

            var current = Volatile.Read(ref _options);
            var errors = new List<ConfigurationError>(validated ? [] : SupervisorOptionsValidator.Validate(options, _ => source));
            errors.AddRange(ReloadCompatibility.Check(current, options, source));
            if (errors.Count > 0)
            {
                throw Rejected(new SupervisorConfigurationException(errors), source);
            }

            var plan = Plan(options);
            if (plan.Refusals.Count > 0)
            {
                throw Rejected(new InvalidOperationException(string.Join("; ", plan.Refusals)), source);
            }

            var startsAnew = plan.Added.Concat(plan.Changed.Where(c => c.Diff.Recycle.Count > 0).Select(c => KeyValuePair.Create(c.Deployment.Name, c.Options)))
                .ToDictionary(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase);
            if (_processes is not null && startsAnew.Count > 0 && SandboxRequirementErrors(startsAnew) is { Count: > 0 } sandboxErrors)
            {
                throw Rejected(new SupervisorConfigurationException(sandboxErrors), source);
            }

            var changes = await ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _options, options);
            if (_processes is not null)
            {
                SyncAutoRoll();
            }

            var summary = changes.Count == 0 ? "nothing changed" : string.Join("; ", changes);
            LogReloaded(_logger, source, summary);
            PublishSupervisorEvent(LifecycleEventType.ConfigReloaded, string.Empty, $"configuration from {source} applied: {summary}");
            return changes;
        }
        finally
        {
            _reconfiguring.Release();
        }
    }

    /// <summary>
    /// Sets how many instances serve <paramref name="plugin"/>: new ones start at once, retired ones drain. Persisted in
    /// <see cref="SupervisorOptions.StateDirectory"/>, so a restarted supervisor keeps it, until the configuration's own
    /// <c>Instances</c> for the plugin changes (then the configuration wins).
    /// </summary>
    /// <param name="plugin">The configured plugin name.</param>
    /// <param name="instances">From 1 to <see cref="SupervisorOptionsValidator.MaxInstances"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the new instances' first start; they go on starting.</param>
    /// <returns>The instance count before, and a message for the operator.</returns>
    /// <exception cref="KeyNotFoundException">No plugin by that name is configured.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instances"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The plugin is rolling, or the supervisor is stopping.</exception>
    public async Task<(int Previous, string Message)> ScalePluginAsync(string plugin, int instances, CancellationToken cancellationToken = default)
    {
        var deployment = Find(plugin);
        var (previous, persistProblem) = await deployment.ScaleAsync(instances, cancellationToken).ConfigureAwait(false);
        var message = $"plugin '{deployment.Name}' scaled from {previous} to {instances} instance(s)"
            + (instances < previous ? "; the retired instances drain their calls and stop" : string.Empty)
            + (persistProblem is null ? string.Empty : $"; {persistProblem}");
        LogScaled(_logger, deployment.Name, previous, instances);
        PublishSupervisorEvent(LifecycleEventType.Scaled, deployment.Name, message);
        return (previous, message);
    }

    private ReloadPlan Plan(SupervisorOptions next)
    {
        var current = Plugins;
        var toRun = PluginsToRun(next, current);
        var plan = new ReloadPlan();
        foreach (var (name, deployment) in current)
        {
            if (!toRun.ContainsKey(name))
            {
                plan.Removed.Add(deployment);
            }
        }

        foreach (var (name, options) in toRun)
        {
            if (!current.TryGetValue(name, out var deployment))
            {
                plan.Added.Add(KeyValuePair.Create(name, options));
                continue;
            }

            var configured = deployment.Options.Clone();
            configured.Instances = deployment.ConfiguredInstances;
            var diff = PluginOptionsDiff.Between(configured, options);
            if (diff.IsEmpty)
            {
                continue;
            }

            if (deployment.CannotApply(diff) is { } refusal)
            {
                plan.Refusals.Add(refusal);
            }

            plan.Changed.Add((deployment, options, diff));
        }

        return plan;
    }

    private async Task<List<string>> ApplyAsync(ReloadPlan plan, CancellationToken cancellationToken)
    {
        var changes = new List<string>();
        var added = plan.Added.ToDictionary(a => a.Key, a => CreateDeployment(a.Key, a.Value), StringComparer.OrdinalIgnoreCase);
        if (plan.Removed.Count > 0 || added.Count > 0)
        {
            // Calls see the new set at once: a removed plugin is NOT_FOUND for new calls while its in-flight ones finish.
            Volatile.Write(ref _plugins, Plugins
                .Where(p => !plan.Removed.Contains(p.Value))
                .Concat(added)
                .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        }

        foreach (var removed in plan.Removed)
        {
            changes.Add($"{removed.Name}: removed; its instances drain and stop");
            TrackRemoval(removed);
        }

        foreach (var (deployment, options, diff) in plan.Changed)
        {
            changes.Add($"{deployment.Name}: {await deployment.ReconfigureAsync(options, diff, cancellationToken).ConfigureAwait(false)}");
        }

        if (added.Count > 0)
        {
            changes.AddRange(added.Keys.Order(StringComparer.Ordinal).Select(name => $"{name}: added on {added[name].Active.Version}"));
            if (_processes is not null)
            {
                await StartInOrderAsync(added, cancellationToken).ConfigureAwait(false);
            }
        }

        return changes;
    }

    private void TrackRemoval(PluginDeployment removed)
    {
        async Task StopAndDisposeAsync()
        {
            await removed.StopAsync(removed.Options.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            await removed.DisposeAsync().ConfigureAwait(false);
        }

        lock (_removals)
        {
            _removals.RemoveAll(t => t.IsCompleted);
            _removals.Add(StopAndDisposeAsync());
        }
    }

    private Task[] RemovalsInProgress()
    {
        lock (_removals)
        {
            return [.. _removals];
        }
    }

    private Exception Rejected(Exception ex, string source)
    {
        var message = ex is SupervisorConfigurationException configuration
            ? string.Join("; ", configuration.Errors.Select(e => $"{e.Key} ({e.Source}): {e.Message}"))
            : ex.Message;
        LogReloadRejected(_logger, source, message);
        PublishSupervisorEvent(LifecycleEventType.ConfigRejected, string.Empty, $"the configuration from {source} was not applied, nothing changed: {message}");
        return ex;
    }

    private void PublishSupervisorEvent(LifecycleEventType type, string plugin, string message) =>
        _events.Publish(new LifecycleEvent
        {
            Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            Type = type,
            Plugin = plugin,
            Message = message,
        });

    /// <summary>What a reload does: plugins to remove, add and change, and why it cannot be done now.</summary>
    private sealed class ReloadPlan
    {
        public List<PluginDeployment> Removed { get; } = [];

        public List<KeyValuePair<string, PluginOptions>> Added { get; } = [];

        public List<(PluginDeployment Deployment, PluginOptions Options, PluginOptionsDiff Diff)> Changed { get; } = [];

        public List<string> Refusals { get; } = [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded from {Source}: {Changes}")]
    private static partial void LogReloaded(ILogger logger, string source, string changes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration from {Source} not applied, nothing changed: {Problem}")]
    private static partial void LogReloadRejected(ILogger logger, string source, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} scaled from {Previous} to {Instances} instance(s)")]
    private static partial void LogScaled(ILogger logger, string plugin, int previous, int instances);
}
