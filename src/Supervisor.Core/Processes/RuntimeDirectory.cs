using System.Security.Cryptography;
using Supervisor.Configuration;
using Supervisor.Sandbox;

namespace Supervisor.Processes;

/// <summary>
/// The folder holding plugin sockets, with a folder per plugin inside (mode 0700). Where plugins run under ids of
/// their own, each plugin's folder belongs to its id, so no plugin can enter a sibling's, and the top folder is
/// 0711 (entered, never listed). Where they share the supervisor's id, the 0700 folders keep out other users only:
/// a plugin can reach its siblings' sockets, and only their tokens stop its calls.
/// </summary>
internal sealed class RuntimeDirectory : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerAndTraverse = OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private readonly bool _owned;

    private RuntimeDirectory(string path, bool owned)
    {
        Path = path;
        _owned = owned;
    }

    public string Path { get; }

    /// <summary>Creates (or takes) the folder; a configured folder is kept at dispose, a generated one removed.</summary>
    /// <param name="configured">The configured folder, or <see langword="null"/> for a fresh one.</param>
    /// <param name="traversable">Whether plugins under other ids must be able to pass through it to their own folders.</param>
    public static RuntimeDirectory Create(string? configured, bool traversable)
    {
        var mode = traversable ? OwnerAndTraverse : OwnerOnly;
        if (!string.IsNullOrEmpty(configured))
        {
            Directory.CreateDirectory(configured, mode);
            File.SetUnixFileMode(configured, mode);
            return new RuntimeDirectory(configured, owned: false);
        }

        var parent = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(parent) || !Directory.Exists(parent))
        {
            parent = System.IO.Path.GetTempPath();
        }

        // Short: a Unix socket path must fit in 108 bytes.
        var path = System.IO.Path.Combine(parent, $"plugsup-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}");
        Directory.CreateDirectory(path, mode);
        File.SetUnixFileMode(path, mode);
        return new RuntimeDirectory(path, owned: true);
    }

    /// <summary>The plugin's socket folder, created 0700 and given to <paramref name="owner"/> when it has an id of its own.</summary>
    public string PluginDirectory(string plugin, PluginUser? owner)
    {
        var directory = System.IO.Path.Combine(Path, plugin);
        Directory.CreateDirectory(directory, OwnerOnly);
        if (owner is { } user)
        {
            Posix.Chown(directory, user.Uid, user.Gid);
        }

        return directory;
    }

    /// <summary>
    /// The longest socket path an instance of <paramref name="plugin"/> gets in <paramref name="directory"/>: sockets
    /// are <c>&lt;plugin&gt;/&lt;8 hex digits&gt;.sock</c>.
    /// </summary>
    public static string LongestSocketPath(string directory, string plugin) => SocketPathIn(System.IO.Path.Combine(directory, plugin), "00000000");

    public static string SocketPathIn(string pluginDirectory, string suffix) => System.IO.Path.Combine(pluginDirectory, suffix + ".sock");

    public void Dispose()
    {
        if (!_owned)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A socket still bound by a dying plugin; the folder is in a temp location anyway.
        }
    }
}
