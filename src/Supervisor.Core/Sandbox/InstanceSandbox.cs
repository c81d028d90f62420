using System.Globalization;
using Supervisor.Configuration;
using Supervisor.Sandbox.Cgroups;

namespace Supervisor.Sandbox;

/// <summary>
/// The sandbox of one instance: the command line that enters it, its cgroup and private <c>/tmp</c>, and what it
/// applied. A process is wrapped, innermost last, as <c>plugin-enter</c> (joins the cgroups, sets rlimits, a session
/// of its own, its uid, no capabilities, no_new_privs, SIGKILL when the supervisor dies) → <c>bwrap</c> (namespaces)
/// → the plugin; where plugin-enter was not built, <c>sh</c> (cgroups, rlimits) → <c>setsid</c> → <c>setpriv</c> do
/// its part. Each execs the next in the same process but bwrap, so the plugin runs in its cgroups before its first
/// instruction.
/// </summary>
internal sealed class InstanceSandbox
{
    // Joins every cgroup and sets the rlimits, then execs the rest: "$1" is the open files limit, then procs
    // files up to "--". Exit 125 (like env and nohup) says the wrapper itself failed, never the plugin.
    private const string EnterScript =
        "n=$1; shift; ulimit -c 0; ulimit -n \"$n\" 2>/dev/null || ulimit -S -n \"$(ulimit -H -n)\" || exit 125; " +
        "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || { echo \"sandbox: cannot join cgroup $1\" >&2; exit 125; }; shift; done; " +
        "shift; exec \"$@\"";

    private readonly List<string> _prefix;

    internal InstanceSandbox(List<string> prefix, PluginUser? user, InstanceCgroup? cgroup, string? privateTmp, IReadOnlyList<SandboxLayer> layers, bool memoryCapped)
    {
        _prefix = prefix;
        User = user;
        Cgroup = cgroup;
        PrivateTmp = privateTmp;
        Layers = layers;
        MemoryCapped = memoryCapped;
    }

    /// <summary>Gets an instance without a sandbox (<c>Sandbox:Mode</c> off).</summary>
    public static InstanceSandbox None { get; } = new([], null, null, null, [], false);

    /// <summary>Gets the uid and gid the instance runs as, or <see langword="null"/> for the supervisor's own.</summary>
    public PluginUser? User { get; }

    /// <summary>Gets the instance's cgroup, when the host has one to give.</summary>
    public InstanceCgroup? Cgroup { get; }

    /// <summary>Gets the host folder that is the instance's <c>/tmp</c> inside its mount namespace.</summary>
    public string? PrivateTmp { get; }

    /// <summary>Gets whether the instance runs in namespaces of its own (bubblewrap, which alone gives it a private /tmp).</summary>
    public bool Namespaces => PrivateTmp is not null;

    /// <summary>Gets whether the kernel caps the instance's memory (a memory cgroup limit applies).</summary>
    public bool MemoryCapped { get; }

    /// <summary>Gets the layers and how each applied.</summary>
    public IReadOnlyList<SandboxLayer> Layers { get; }

    /// <summary>Gets whether the plugin is started through wrappers (which then make it a session leader themselves).</summary>
    public bool Wraps => _prefix.Count > 0;

    /// <summary>The program to start and its arguments: the wrappers, then the plugin's own command line.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Command(string executable, IReadOnlyList<string> arguments)
    {
        if (_prefix.Count == 0)
        {
            return (executable, arguments);
        }

        return (_prefix[0], [.. _prefix.Skip(1), executable, .. arguments]);
    }

    /// <summary>What the instance uses now; <paramref name="pid"/> is its outermost process.</summary>
    public ResourceUsage Usage(int pid)
    {
        var fromGroup = Cgroup?.Usage() ?? default;
        if (fromGroup.CpuSeconds is not null && fromGroup.MemoryBytes is not null)
        {
            return fromGroup;
        }

        var fromTree = ProcessTree.Usage(pid);
        return new ResourceUsage(fromGroup.CpuSeconds ?? fromTree.CpuSeconds, fromGroup.MemoryBytes ?? fromTree.MemoryBytes);
    }

    /// <summary>Ends everything in the instance's cgroup and removes it and the private <c>/tmp</c>.</summary>
    public async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        if (Cgroup is not null)
        {
            await Cgroup.RemoveAsync(cancellationToken).ConfigureAwait(false);
        }

        if (PrivateTmp is not null)
        {
            try
            {
                Directory.Delete(PrivateTmp, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file still held open by a dying descendant: the runtime folder goes at shutdown.
            }
        }
    }

    internal static List<string> EnterPrefix(string shell, int maxOpenFiles, IEnumerable<string> procsFiles) =>
        [shell, "-c", EnterScript, "sh", maxOpenFiles.ToString(CultureInfo.InvariantCulture), .. procsFiles, "--"];

    /// <summary>The <c>plugin-enter</c> command line up to and including <c>--</c> (Sandbox/Native/plugin-enter.c).</summary>
    internal static List<string> EnterArguments(string enter, int maxOpenFiles, IEnumerable<string> procsFiles, PluginUser? user, bool dropBoundingSet)
    {
        List<string> args = [enter, "--nofile", maxOpenFiles.ToString(CultureInfo.InvariantCulture)];
        foreach (var procs in procsFiles)
        {
            args.AddRange(["--join", procs]);
        }

        if (user is { } id)
        {
            args.AddRange(["--uid", id.Uid.ToString(CultureInfo.InvariantCulture), "--gid", id.Gid.ToString(CultureInfo.InvariantCulture)]);
            if (dropBoundingSet)
            {
                args.Add("--drop-bounding-set");
            }
        }

        args.Add("--");
        return args;
    }
}
