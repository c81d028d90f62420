namespace Supervisor.Sandbox;

/// <summary>
/// The <c>bwrap</c> command line of one instance: new pid, mount, ipc and uts namespaces (and network when the plugin
/// has none), a read-only system, its version folder read-only, its socket folder, a private <c>/tmp</c>, and the
/// supervisor's own files hidden.
/// </summary>
internal static class BubblewrapArguments
{
    /// <summary>The arguments, up to and including <c>--</c>.</summary>
    /// <param name="privateTmp">The host folder mounted as the instance's <c>/tmp</c>; none in the start-up probe.</param>
    /// <param name="hidden">Folders and files replaced by an empty one.</param>
    /// <param name="visible">Folders bound back into hidden ones, read-write (<c>true</c>) or read-only.</param>
    /// <param name="network">Whether the instance shares the host's network.</param>
    /// <param name="workingDirectory">Where the command starts.</param>
    public static List<string> Build(string? privateTmp, IEnumerable<string> hidden, IEnumerable<(string Path, bool Writable)> visible, bool network, string workingDirectory)
    {
        List<string> args =
        [
            // SIGKILL for the sandbox's init when the supervisor's launching thread (which lives as long as it does) ends.
            "--die-with-parent",
            "--new-session",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--cap-drop", "ALL",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
        ];
        if (!network)
        {
            args.Add("--unshare-net");
        }

        if (privateTmp is null)
        {
            args.AddRange(["--tmpfs", "/tmp"]);
        }
        else
        {
            args.AddRange(["--bind", privateTmp, "/tmp"]);
        }

        foreach (var path in hidden.Where(p => !Under(p, "/tmp") && !Under(p, "/proc") && !Under(p, "/dev")).Order(StringComparer.Ordinal))
        {
            if (Directory.Exists(path))
            {
                args.AddRange(["--tmpfs", path]);
            }
            else if (File.Exists(path))
            {
                args.AddRange(["--ro-bind", "/dev/null", path]);
            }
        }

        foreach (var (path, writable) in visible)
        {
            args.AddRange([writable ? "--bind" : "--ro-bind", path, path]);
        }

        args.AddRange(["--chdir", workingDirectory, "--"]);
        return args;
    }

    private static bool Under(string path, string folder) =>
        path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);
}
