using System.Text.Json;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;

namespace Supervisor.Deployments;

/// <summary>
/// Persists the active version of each rolled plugin in <c>StateDirectory/state.json</c>, atomically, so a restarted
/// supervisor comes back on the versions operators rolled to. An unreadable file is reported, set aside for
/// inspection, and the configuration's versions are used; so is an entry that names no version or one that is not a
/// plain folder name (<c>../..</c> would start whatever <c>plugin.json</c> sits outside the plugins folder).
/// </summary>
internal sealed partial class DesiredStateStore
{
    public const int CurrentFormat = 1;
    public const string FileName = "state.json";
    private readonly Lock _gate = new();
    private readonly DesiredState _state;

    private DesiredStateStore(string path, DesiredState state)
    {
        Path = path;
        _state = state;
    }

    public string Path { get; }

    /// <summary>Reads the state file; a missing file is an empty state, an unreadable one is logged and set aside.</summary>
    public static DesiredStateStore Open(string stateDirectory, ILogger logger)
    {
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        return new DesiredStateStore(path, Read(path, logger));
    }

    public PluginDesiredState? Find(string plugin)
    {
        lock (_gate)
        {
            return _state.Plugins.GetValueOrDefault(plugin);
        }
    }

    /// <summary>Records a plugin's new active version and writes the whole file atomically.</summary>
    /// <exception cref="IOException">The file could not be written; the previous file is intact.</exception>
    public void Record(string plugin, PluginDesiredState entry)
    {
        lock (_gate)
        {
            _state.Plugins[plugin] = entry;
            AtomicFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(_state, DesiredStateJsonContext.Default.DesiredState));
        }
    }

    private static DesiredState Read(string path, ILogger logger)
    {
        string problem;
        try
        {
            using var stream = File.OpenRead(path);
            var state = JsonSerializer.Deserialize(stream, DesiredStateJsonContext.Default.DesiredState);
            if (state is { Format: CurrentFormat, Plugins: not null })
            {
                state.Plugins = ValidEntries(path, state.Plugins, logger);
                return state;
            }

            problem = state is null ? "it holds JSON null"
                : state.Format != CurrentFormat ? $"format {state.Format} is not the format this supervisor writes ({CurrentFormat})"
                : "\"plugins\" is null; it holds an object of plugin entries";
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new DesiredState();
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
        }

        var keptAs = SetAside(path);
        LogUnreadable(logger, path, problem, keptAs ?? "(could not be moved)");
        return new DesiredState();
    }

    // The file is written by this supervisor, but it sits on disk for anyone with access to edit: an entry must name
    // version folders, or it is dropped (and the configured version starts) rather than followed out of PluginsRoot.
    private static Dictionary<string, PluginDesiredState> ValidEntries(string path, Dictionary<string, PluginDesiredState> entries, ILogger logger)
    {
        var valid = new Dictionary<string, PluginDesiredState>(entries.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (plugin, entry) in entries)
        {
            var problem = entry is null ? "the entry is null"
                : !FolderName.IsValid(entry.ActiveVersion) ? $"activeVersion {Quote(entry.ActiveVersion)} is not a version folder name ({FolderName.Rule})"
                : entry.PreviousVersion is not null && !FolderName.IsValid(entry.PreviousVersion) ? $"previousVersion {Quote(entry.PreviousVersion)} is not a version folder name ({FolderName.Rule})"
                : entry.ConfiguredVersion is null ? "configuredVersion is null"
                : null;
            if (problem is null)
            {
                valid[plugin] = entry!;
            }
            else
            {
                LogInvalidEntry(logger, path, plugin, problem);
            }
        }

        return valid;
    }

    private static string Quote(string? value) => value is null ? "null" : $"'{value}'";

    // The next roll overwrites state.json; keep the bad file so an operator can see what it held.
    private static string? SetAside(string path)
    {
        var aside = $"{path}.unreadable-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}";
        try
        {
            File.Move(path, aside, overwrite: true);
            return aside;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "State file {Path} is unreadable ({Problem}); every plugin starts on its configured Version. The file was kept as {KeptAs}")]
    private static partial void LogUnreadable(ILogger logger, string path, string problem, string keptAs);

    [LoggerMessage(Level = LogLevel.Error, Message = "State file {Path}: the entry for plugin {Plugin} is ignored ({Problem}); the plugin starts on its configured Version")]
    private static partial void LogInvalidEntry(ILogger logger, string path, string plugin, string problem);
}
