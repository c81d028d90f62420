using System.Collections;

namespace Supervisor.Processes;

/// <summary>The logging scope of everything about one plugin process; built once, reused for every line.</summary>
internal sealed class PluginLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _fields;
    private readonly string _text;

    public PluginLogScope(string plugin, string version, string instanceId, int? pid)
    {
        _fields =
        [
            new("plugin", plugin),
            new("version", version),
            new("instance", instanceId),
            new("pid", pid),
        ];
        _text = pid is null
            ? $"plugin={plugin} version={version} instance={instanceId}"
            : $"plugin={plugin} version={version} instance={instanceId} pid={pid}";
    }

    public int Count => _fields.Length;

    public KeyValuePair<string, object?> this[int index] => _fields[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => _text;
}
