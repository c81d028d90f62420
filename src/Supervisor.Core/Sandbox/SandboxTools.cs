namespace Supervisor.Sandbox;

/// <summary>The programs the sandbox is built from, found on the supervisor's <c>PATH</c> (which decides what it may use).</summary>
internal static class SandboxTools
{
    /// <summary>Gets util-linux's <c>setpriv</c>: ids, no_new_privs, capabilities, parent-death signal.</summary>
    public static string? Setpriv { get; } = Find("setpriv");

    /// <summary>Gets bubblewrap's <c>bwrap</c>: namespaces.</summary>
    public static string? Bwrap { get; } = Find("bwrap");

    /// <summary>Gets util-linux's <c>setsid</c>: a session and process group of the plugin's own.</summary>
    public static string? Setsid { get; } = Find("setsid");

    /// <summary>
    /// Gets <c>plugin-enter</c> (Sandbox/Native), built beside this assembly where a C compiler was found: the cgroups,
    /// rlimits, session, ids, capabilities, no_new_privs and parent-death signal in one exec instead of <c>sh</c>,
    /// <c>setsid</c> and <c>setpriv</c>; <see langword="null"/> where it was not built (those three then do it).
    /// </summary>
    public static string? Enter { get; } = Beside("plugin-enter");

    /// <summary>Gets the POSIX shell that joins the cgroups and sets the rlimits before anything else runs.</summary>
    public static string? Shell { get; } = File.Exists("/bin/sh") ? "/bin/sh" : Find("sh");

    /// <summary>Gets whether a plugin can be started inside its cgroups and limits: by <see cref="Enter"/>, or by <see cref="Shell"/>.</summary>
    public static bool CanEnter => Enter is not null || Shell is not null;

    private static string? Beside(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path) ? path : null;
    }

    private static string? Find(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
