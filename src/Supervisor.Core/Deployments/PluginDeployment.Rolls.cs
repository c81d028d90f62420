using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Deployments;

/// <summary>The operator's entry points: roll to a version, roll back.</summary>
internal sealed partial class PluginDeployment
{
    /// <summary>
    /// Starts a roll to <paramref name="version"/> and answers once the new instances are ready and calls start to
    /// move (or, with <paramref name="wait"/>, once the roll has completed).
    /// </summary>
    /// <exception cref="RollException">The roll was refused, its new version did not start, or (waiting) it aborted.</exception>
    public Task<RollPluginResponse> RollAsync(string version, RollStrategy strategy, bool wait, CancellationToken cancellationToken) =>
        RollAsync(version, strategy, wait, rollback: false, cancellationToken);

    /// <summary>
    /// Returns to the previous version: a roll still starting or shifting is aborted (its new version drains);
    /// otherwise the previous version is rolled to at once.
    /// </summary>
    /// <exception cref="RollException">There is no previous version, or the rollback's own roll failed.</exception>
    public async Task<RollPluginResponse> RollbackAsync(bool wait, CancellationToken cancellationToken)
    {
        var roll = Volatile.Read(ref _roll);
        if (roll is not null && roll.Abort($"an operator called RollbackPlugin during the roll to {roll.To}"))
        {
            // The aborted roll's version never became the active one: answer once calls are back on the old version.
            await (wait ? roll.Completion : roll.Rerouted).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RollPluginResponse { Message = $"aborted the roll of '{Name}' to {roll.To}; {roll.From} serves every call", Roll = roll.Status() };
        }

        if (roll is { IsRunning: true })
        {
            // Draining: the new version already serves; let the old one finish before rolling back to it fresh.
            await roll.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var previous = Volatile.Read(ref _previousVersion)
            ?? throw new RollException(RollError.NoPreviousVersion, $"plugin '{Name}' has no previous version to roll back to: it has run {Active.Version} since it was configured");
        return await RollAsync(previous, RollStrategy.Immediate, wait, rollback: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RollPluginResponse> RollAsync(string version, RollStrategy strategy, bool wait, bool rollback, CancellationToken cancellationToken)
    {
        if (IsStopping)
        {
            throw new RollException(RollError.ShuttingDown, "the supervisor is shutting down");
        }

        if (_processes is null)
        {
            throw new InvalidOperationException("the supervisor has not been started; call StartAsync before rolling a plugin");
        }

        CheckVersionOnDisk(version);
        RollingDeployment roll;
        lock (_gate)
        {
            if (_roll is { IsRunning: true } running)
            {
                throw new RollException(RollError.AlreadyRolling,
                    $"a roll of '{Name}' from {running.From} to {running.To} is already running ({running.Describe()}); wait for it to finish, or call RollbackPlugin to abort it");
            }

            var active = _split.Stable.Version;
            if (string.Equals(active, version, StringComparison.Ordinal))
            {
                return new RollPluginResponse { NoOp = true, Message = $"plugin '{Name}' is already on {version}; nothing to do" };
            }

            roll = new RollingDeployment(this, active, version, strategy == RollStrategy.Canary ? RollStrategy.Canary : RollStrategy.Immediate, rollback);
            _roll = roll;
        }

        roll.Start();
        await (wait ? roll.Completion : roll.Rerouted).WaitAsync(cancellationToken).ConfigureAwait(false);
        var status = roll.Status();
        if (status.Phase == RollPhase.Aborted)
        {
            throw new RollException(roll.StartFailed ? RollError.StartFailed : RollError.Aborted, $"the roll of '{Name}' to {version} was aborted: {status.Reason}; {roll.From} serves every call");
        }

        var what = rollback ? "rolling back" : "rolling";
        return new RollPluginResponse
        {
            Message = wait ? $"'{Name}' is on {version}" : $"'{Name}' is {what} from {roll.From} to {version} ({roll.Describe()}); follow it with WatchEvents or GetPlugin",
            Roll = status,
        };
    }

    private void CheckVersionOnDisk(string version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Contains('/', StringComparison.Ordinal) || version.Contains('\\', StringComparison.Ordinal) || version is "." or "..")
        {
            throw new RollException(RollError.VersionNotFound, $"'{version}' is not a version folder name");
        }

        var path = ManifestPath(version);
        if (!File.Exists(path))
        {
            var onDisk = VersionsOnDisk();
            throw new RollException(RollError.VersionNotFound,
                $"version {version} of plugin '{Name}' is not on disk: {path} does not exist (versions found: {(onDisk.Length == 0 ? "none" : string.Join(", ", onDisk))})");
        }

        try
        {
            CommandPin.Verify(PluginManifest.Load(path), requireFile: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or PinnedCommandMismatchException)
        {
            throw new RollException(RollError.InvalidVersion, $"version {version} of plugin '{Name}' cannot be used: {ex.Message}");
        }
    }

    private string[] VersionsOnDisk()
    {
        var folder = Path.Combine(_pluginsRoot, Name);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateDirectories(folder).Where(d => File.Exists(Path.Combine(d, PluginManifest.FileName))).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];
    }
}
