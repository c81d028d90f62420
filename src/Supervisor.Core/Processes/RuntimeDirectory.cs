using System.Security.Cryptography;

namespace Supervisor.Processes;

/// <summary>
/// The private folder (mode 0700) holding plugin sockets: only the supervisor's user can reach a plugin,
/// and the token check keeps even that user's other processes out.
/// </summary>
internal sealed class RuntimeDirectory : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly bool _owned;

    private RuntimeDirectory(string path, bool owned)
    {
        Path = path;
        _owned = owned;
    }

    public string Path { get; }

    /// <summary>Creates (or takes) the folder; a configured folder is kept at dispose, a generated one removed.</summary>
    public static RuntimeDirectory Create(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            Directory.CreateDirectory(configured, OwnerOnly);
            File.SetUnixFileMode(configured, OwnerOnly);
            return new RuntimeDirectory(configured, owned: false);
        }

        var parent = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(parent) || !Directory.Exists(parent))
        {
            parent = System.IO.Path.GetTempPath();
        }

        // Short: a Unix socket path must fit in 108 bytes.
        var path = System.IO.Path.Combine(parent, $"plugsup-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}");
        Directory.CreateDirectory(path, OwnerOnly);
        return new RuntimeDirectory(path, owned: true);
    }

    public string SocketPath(string instanceId) => SocketPathIn(Path, instanceId);

    /// <summary>
    /// The longest socket path an instance of <paramref name="plugin"/> gets in <paramref name="directory"/>: instance
    /// ids are <c>&lt;plugin&gt;-&lt;8 hex digits&gt;</c>.
    /// </summary>
    public static string LongestSocketPath(string directory, string plugin) => SocketPathIn(directory, plugin + "-00000000");

    private static string SocketPathIn(string directory, string instanceId) => System.IO.Path.Combine(directory, instanceId + ".sock");

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
