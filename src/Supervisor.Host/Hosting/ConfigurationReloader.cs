using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Supervisor.Configuration;

namespace Supervisor.Host.Hosting;

/// <summary>
/// Reloads the configuration file on SIGHUP, on a change of the file (debounced, and only when its bytes changed), and
/// for the admin API's <c>ReloadConfig</c>. One reload runs at a time; a failed one is logged and reported as a
/// lifecycle event by the supervisor, and changes nothing.
/// </summary>
internal sealed partial class ConfigurationReloader : IDisposable
{
    // Editors and deployment tools write a file in several steps (truncate, write, rename; a ConfigMap swaps a symbolic
    // link): one reload after the writes settle, not one per step.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);
    private readonly PluginSupervisor _supervisor;
    private readonly string _path;
    private readonly Action<SupervisorOptions> _prepare;
    private readonly ILogger _logger;
    private readonly Timer _debounce;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private byte[] _lastSeen;

    public ConfigurationReloader(PluginSupervisor supervisor, string path, Action<SupervisorOptions> prepare, ILogger logger)
    {
        _supervisor = supervisor;
        _path = Path.GetFullPath(path);
        _prepare = prepare;
        _logger = logger;
        _lastSeen = Hash(_path);
        _debounce = new Timer(_ => OnFileSettled(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Gets the configuration file.</summary>
    public string FilePath => _path;

    /// <summary>Starts listening for SIGHUP and watching the file.</summary>
    public void Start()
    {
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Handled: the default action of SIGHUP ends the process.
            context.Cancel = true;
            LogSignal(_logger);
            _ = ReloadInBackgroundAsync("SIGHUP");
        });

        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, _) => Touched();
            watcher.Created += (_, _) => Touched();
            watcher.Renamed += (_, _) => Touched();
            watcher.Deleted += (_, _) => Touched();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // inotify limits, a folder without read access: SIGHUP and ReloadConfig still work.
            LogWatchFailed(_logger, _path, ex.Message);
        }
    }

    /// <summary>Reloads now (the admin API's ReloadConfig).</summary>
    /// <exception cref="SupervisorConfigurationException">The configuration is invalid or needs a restart; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">A plugin the change affects is mid-roll, or the supervisor is stopping; nothing changed.</exception>
    public async Task<IReadOnlyList<string>> ReloadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _lastSeen = Hash(_path);
        }

        return await _supervisor.ReloadAsync(_path, null, _prepare, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _debounce.Dispose();
    }

    private void Touched() => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void OnFileSettled()
    {
        lock (_gate)
        {
            var now = Hash(_path);
            if (now.AsSpan().SequenceEqual(_lastSeen))
            {
                return;
            }
        }

        LogFileChanged(_logger, _path);
        _ = ReloadInBackgroundAsync("a change of the file");
    }

    private async Task ReloadInBackgroundAsync(string trigger)
    {
        try
        {
            await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SupervisorConfigurationException or InvalidOperationException)
        {
            // The supervisor has logged why and published the rejection: nothing changed.
            LogBackgroundReloadRefused(_logger, trigger);
        }
        catch (Exception ex)
        {
            // A bug in a reload must not take down a supervisor that serves on with its previous configuration.
            LogBackgroundReloadFailed(_logger, ex, trigger);
        }
    }

    // A missing or unreadable file hashes as empty: the reload that follows reports why it cannot be read.
    private static byte[] Hash(string path)
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIGHUP received: reloading the configuration")]
    private static partial void LogSignal(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The configuration file {Path} changed: reloading it")]
    private static partial void LogFileChanged(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch the configuration file {Path} for changes ({Problem}); reload it with SIGHUP or supervisorctl reload")]
    private static partial void LogWatchFailed(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reload on {Trigger} was refused; the supervisor runs on with its previous configuration")]
    private static partial void LogBackgroundReloadRefused(ILogger logger, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The reload on {Trigger} failed; the supervisor runs on with its previous configuration")]
    private static partial void LogBackgroundReloadFailed(ILogger logger, Exception exception, string trigger);
}
