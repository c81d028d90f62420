using System.Text.Json;
using Supervisor.Configuration;

namespace Supervisor.Sandbox;

/// <summary>
/// Hands each plugin a uid of its own from <c>Sandbox:UidRange</c> and keeps it: the assignments are recorded in the
/// state directory, so a plugin keeps its id across restarts and new plugins never take an old one's.
/// </summary>
internal sealed class PluginIdentities
{
    private const string FileName = "sandbox-uids.json";
    private readonly string _path;
    private readonly UidRange _range;
    private readonly Dictionary<string, uint> _assigned;
    private readonly object _gate = new();

    private PluginIdentities(string path, UidRange range, Dictionary<string, uint> assigned)
    {
        _path = path;
        _range = range;
        _assigned = assigned;
    }

    /// <summary>Reads the recorded assignments.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid record.</exception>
    public static PluginIdentities Open(string stateDirectory, UidRange range)
    {
        var path = Path.Combine(stateDirectory, FileName);
        var assigned = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            try
            {
                foreach (var (plugin, uid) in JsonSerializer.Deserialize(File.ReadAllText(path), SandboxJsonContext.Default.DictionaryStringUInt32) ?? [])
                {
                    assigned[plugin] = uid;
                }
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not a valid record of plugin uids ({ex.Message}); fix or delete it", ex);
            }
        }

        return new PluginIdentities(path, range, assigned);
    }

    /// <summary>The identity of <paramref name="plugin"/>: its <c>User</c> if set, else its own id from the range.</summary>
    /// <exception cref="InvalidOperationException">The range is used up.</exception>
    public PluginUser For(string plugin, string? user)
    {
        if (user is not null && PluginUser.TryResolve(user, out var configured, out _))
        {
            return configured;
        }

        lock (_gate)
        {
            if (_assigned.TryGetValue(plugin, out var uid) && _range.Contains(uid))
            {
                return new PluginUser(uid, uid);
            }

            var taken = PluginUser.Taken();
            taken.UnionWith(_assigned.Values);
            for (var candidate = _range.First; candidate <= _range.Last; candidate++)
            {
                if (!taken.Contains(candidate))
                {
                    _assigned[plugin] = candidate;
                    Save();
                    return new PluginUser(candidate, candidate);
                }
            }

            throw new InvalidOperationException($"Sandbox:UidRange {_range} has no free uid left for plugin '{plugin}' ({_assigned.Count} assigned); widen the range");
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = _path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_assigned, SandboxJsonContext.Default.DictionaryStringUInt32));
        File.Move(temporary, _path, overwrite: true);
    }
}
