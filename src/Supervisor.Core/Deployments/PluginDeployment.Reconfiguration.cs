using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Deployments;

/// <summary>A reloaded configuration applied to the running plugin without failing a call.</summary>
internal sealed partial class PluginDeployment
{
    /// <summary>Why <paramref name="diff"/> cannot be applied now, or <see langword="null"/>.</summary>
    public string? CannotApply(PluginOptionsDiff diff) =>
        (diff.Version || diff.Instances || diff.Recycle.Count > 0) && Volatile.Read(ref _roll) is { IsRunning: true } roll
            ? $"plugin '{Name}' is rolling from {roll.From} to {roll.To} ({roll.Describe()}), and the new configuration changes its {diff}; reload once the roll has completed"
            : null;

    /// <summary>
    /// Applies <paramref name="next"/>: keys read per call or per restart in place; keys a process reads when it starts
    /// by a rolling recycle (a new process first, then the old one drains); <c>Instances</c> by adding or retiring
    /// instances; <c>Version</c> by an immediate roll.
    /// </summary>
    /// <returns>What was done, in words.</returns>
    public async Task<string> ReconfigureAsync(PluginOptions next, PluginOptionsDiff diff, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        PluginOptionsDiff.ApplyLive(Options, next);
        if (diff.Live.Count > 0)
        {
            done.Add($"{string.Join(", ", diff.Live)} applied to new calls and restarts");
        }

        if (diff.Recycle.Count > 0)
        {
            PluginOptionsDiff.ApplyRecycle(Options, next);

            // Before any instance is added: those start with the new values already. A roll starts new processes anyway.
            if (!diff.Version)
            {
                var (recycled, lifted) = Restart();
                done.Add(lifted
                    ? $"{string.Join(", ", diff.Recycle)} changed: the quarantine is lifted and it starts again with them"
                    : $"{string.Join(", ", diff.Recycle)} changed: recycling {recycled.Count} instance(s), each new process first");
            }
        }

        if (diff.Instances)
        {
            var before = Options.Instances;
            await ApplyConfiguredInstancesAsync(next.Instances).ConfigureAwait(false);
            done.Add($"Instances {before} → {next.Instances}");
        }

        if (diff.Version)
        {
            var from = Active.Version;
            Options.Version = next.Version;
            try
            {
                var response = await RollAsync(next.Version, RollStrategy.Immediate, wait: false, cancellationToken).ConfigureAwait(false);
                done.Add(response.NoOp ? $"Version {next.Version}, which it already runs" : $"rolling from {from} to {next.Version}");
            }
            catch (RollException ex)
            {
                done.Add($"the roll to Version {next.Version} failed, {from} serves on: {ex.Message}");
            }
        }

        if (diff.DependsOn)
        {
            done.Add($"DependsOn is now [{string.Join(", ", next.DependsOn)}]");
        }

        return string.Join("; ", done);
    }
}
