using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>
/// <c>AutoRoll</c> for one plugin: watches <c>PluginsRoot/&lt;name&gt;/</c> and rolls to the highest complete version
/// folder above the active version, through the same roll an operator starts.
/// </summary>
/// <remarks>
/// A <see cref="FileSystemWatcher"/> wakes it, debounced by <see cref="Settle"/> (a deployment writes many files; the
/// folder is scanned once they stop); a rescan every <see cref="Rescan"/> is the safety net for events inotify drops
/// (queue overflow, network file systems, a folder that did not exist yet). Completeness is <see cref="VersionFolders"/>'s,
/// so a half-copied folder is never rolled. A folder is tried once: after a failed roll, or after an operator rolled
/// back from it, it is tried again only when its <c>plugin.json</c> or its command changes (a redeploy).
/// </remarks>
internal sealed partial class AutoRoller : IAsyncDisposable
{
    /// <summary>How long the folder must be quiet after a change before it is scanned.</summary>
    internal static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the folder is scanned without a change notification.</summary>
    internal static readonly TimeSpan Rescan = TimeSpan.FromSeconds(10);

    private readonly PluginDeployment _deployment;
    private readonly string _pluginsRoot;
    private readonly RollStrategy _strategy;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Dictionary<string, string> _attempted = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher? _watcher;
    private readonly Task _loop;
    private long _changes;
    private long _scannedThrough = -1;

    private AutoRoller(PluginDeployment deployment, string pluginsRoot, RollStrategy strategy)
    {
        _deployment = deployment;
        _pluginsRoot = pluginsRoot;
        _strategy = strategy;
        var folder = Path.Combine(pluginsRoot, deployment.Name);
        try
        {
            _watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Created += OnChanged;
            _watcher.Changed += OnChanged;
            _watcher.Renamed += OnChanged;
            _watcher.Deleted += OnChanged;
            _watcher.Error += (_, e) => OnChanged(this, EventArgs.Empty);
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // The periodic rescan still finds new versions, only later.
            _watcher?.Dispose();
            _watcher = null;
            LogWatchFailed(deployment.Logger, deployment.Name, folder, Rescan.TotalSeconds, ex.Message);
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the plugin's name.</summary>
    public string Plugin => _deployment.Name;

    /// <summary>Gets the plugin it watches for.</summary>
    internal PluginDeployment Deployment => _deployment;

    /// <summary>Gets the mode it was started in: a reload that changes the plugin's <c>AutoRoll</c> replaces it.</summary>
    internal AutoRollMode Mode => _strategy == RollStrategy.Canary ? AutoRollMode.Canary : AutoRollMode.Immediate;

    /// <summary>Gets how many changes the watcher has seen.</summary>
    internal long Changes => Interlocked.Read(ref _changes);

    /// <summary>Gets the <see cref="Changes"/> count the last completed scan had seen when it began: a test's proof that a change was looked at.</summary>
    internal long ScannedThrough => Interlocked.Read(ref _scannedThrough);

    /// <summary>Starts watching for <paramref name="deployment"/> when its <c>AutoRoll</c> is on.</summary>
    /// <param name="deployment">The plugin.</param>
    /// <param name="pluginsRoot">The configured <c>PluginsRoot</c>.</param>
    /// <returns>The watcher, or <see langword="null"/> when <c>AutoRoll</c> is off.</returns>
    public static AutoRoller? Start(PluginDeployment deployment, string pluginsRoot) =>
        deployment.Options.AutoRoll switch
        {
            AutoRollMode.Immediate => new AutoRoller(deployment, pluginsRoot, RollStrategy.Immediate),
            AutoRollMode.Canary => new AutoRoller(deployment, pluginsRoot, RollStrategy.Canary),
            _ => null,
        };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _changed.Dispose();
    }

    private void OnChanged(object? sender, EventArgs e)
    {
        Interlocked.Increment(ref _changes);
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        var time = _deployment.Time;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // Debounce: scan once the folder has been quiet for Settle, not at each file of a copy.
                long seen;
                do
                {
                    seen = Interlocked.Read(ref _changes);
                    await Task.Delay(Settle, time, stopping).ConfigureAwait(false);
                }
                while (Interlocked.Read(ref _changes) != seen);

                await ScanAsync(stopping).ConfigureAwait(false);
                Interlocked.Exchange(ref _scannedThrough, seen);
                await _changed.WaitAsync(Rescan, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // A bug here must not pass silently: new versions would stop rolling without a word.
            LogLoopFailed(_deployment.Logger, ex, _deployment.Name);
        }
    }

    private async Task ScanAsync(CancellationToken stopping)
    {
        var name = _deployment.Name;
        var active = _deployment.Active.Version;
        if (VersionFolders.HighestComplete(VersionFolders.List(_pluginsRoot, name)) is not { } candidate || !VersionFolders.IsNewer(candidate.Name, active))
        {
            return;
        }

        var fingerprint = Fingerprint(candidate);
        if (_attempted.TryGetValue(candidate.Name, out var tried) && tried == fingerprint)
        {
            return;
        }

        _attempted[candidate.Name] = fingerprint;
        LogRolling(_deployment.Logger, name, active, candidate.Name, _strategy);
        try
        {
            await _deployment.RollAsync(candidate.Name, _strategy, wait: true, stopping).ConfigureAwait(false);
            LogRolled(_deployment.Logger, name, candidate.Name);
        }
        catch (RollException ex) when (ex.Error == RollError.AlreadyRolling)
        {
            // An operator's roll is running: look again at the next scan.
            _attempted.Remove(candidate.Name);
        }
        catch (RollException ex) when (ex.Error != RollError.ShuttingDown)
        {
            var message = $"AutoRoll of '{name}' to {candidate.Name} failed: {ex.Message}; {_deployment.Active.Version} keeps serving, and {candidate.Name} is not tried again until its plugin.json or command changes";
            LogFailed(_deployment.Logger, name, candidate.Name, message);
            new LifecycleEmitter(name, candidate.Name, _deployment.Events, _deployment.Time).Emit(LifecycleEventType.RollAborted, null, "auto-roll", message);
        }
    }

    /// <summary>What changes when a folder is redeployed: its <c>plugin.json</c> (written last) and its command's file.</summary>
    private static string Fingerprint(VersionFolder folder)
    {
        var manifestPath = Path.Combine(folder.Path, PluginManifest.FileName);
        try
        {
            return $"{FileStamp.Of(manifestPath)}|{FileStamp.Of(PluginManifest.Load(manifestPath).ResolvedCommand)}";
        }
        catch (InvalidDataException)
        {
            return $"{FileStamp.Of(manifestPath)}";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AutoRoll: rolling plugin {Plugin} from {From} to {To} ({Strategy}), a new complete version on disk")]
    private static partial void LogRolling(ILogger logger, string plugin, string from, string to, RollStrategy strategy);

    [LoggerMessage(Level = LogLevel.Information, Message = "AutoRoll: plugin {Plugin} is on {Version}")]
    private static partial void LogRolled(ILogger logger, string plugin, string version);

    [LoggerMessage(Level = LogLevel.Error, Message = "AutoRoll: plugin {Plugin} did not roll to {Version}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string plugin, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AutoRoll: cannot watch {Folder} for plugin {Plugin} ({Error}); new versions are found by a rescan every {RescanSeconds:0} s")]
    private static partial void LogWatchFailed(ILogger logger, string plugin, string folder, double rescanSeconds, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "AutoRoll for plugin {Plugin} stopped: new versions are not rolled until the supervisor restarts")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string plugin);
}
