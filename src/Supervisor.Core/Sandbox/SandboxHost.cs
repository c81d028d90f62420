using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Sandbox.Cgroups;

namespace Supervisor.Sandbox;

/// <summary>
/// The sandbox this host can give plugins, found once at start (<see cref="Probe"/>): which layers apply, which do
/// not and why, and the per-instance sandboxes built from them (<see cref="Prepare"/>).
/// </summary>
internal sealed partial class SandboxHost
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private readonly SandboxOptions _options;
    private readonly List<string> _hidden;
    private readonly string? _whyNoIdentity;
    private readonly string? _whyNoNamespaces;
    private readonly string? _whyNoNetworkNamespace;
    private readonly PluginIdentities? _identities;
    private readonly CgroupLayout? _cgroups;

    private SandboxHost(SandboxOptions options, List<string> hidden, string? whyNoIdentity, string? whyNoNamespaces, string? whyNoNetworkNamespace, PluginIdentities? identities, CgroupLayout? cgroups)
    {
        _options = options;
        _hidden = hidden;
        _whyNoIdentity = whyNoIdentity;
        _whyNoNamespaces = whyNoNamespaces;
        _whyNoNetworkNamespace = whyNoNetworkNamespace;
        _identities = identities;
        _cgroups = cgroups;
    }

    /// <summary>Gets the mode in effect.</summary>
    public SandboxMode Mode => _options.Mode;

    /// <summary>Gets whether plugins run under ids of their own (so their socket folders are handed to them).</summary>
    public bool SwitchesIdentity => Mode != SandboxMode.Off && _whyNoIdentity is null;

    /// <summary>Finds what this host allows and prepares the supervisor's cgroups.</summary>
    /// <param name="options">The supervisor's options (sandbox section, state directory, plugins root).</param>
    /// <param name="hidden">What plugins must not see, beyond <c>Sandbox:HiddenPaths</c>: state, runtime and plugins folders.</param>
    /// <param name="logger">Where a stale cgroup's removal is logged.</param>
    public static SandboxHost Probe(SupervisorOptions options, IReadOnlyList<string> hidden, ILogger logger)
    {
        var sandbox = options.Sandbox;
        var allHidden = hidden.Concat(sandbox.HiddenPaths).Distinct(StringComparer.Ordinal).ToList();
        if (sandbox.Mode == SandboxMode.Off)
        {
            return new SandboxHost(sandbox, allHidden, "Sandbox:Mode is off", "Sandbox:Mode is off", "Sandbox:Mode is off", null, null);
        }

        const string Disabled = "left off by Sandbox:Disable";
        var whyNoIdentity = sandbox.Disable.Contains("identity") ? Disabled
            : SandboxTools.Setpriv is null && SandboxTools.Enter is null ? "setpriv (util-linux) is not installed"
            : HostPrivileges.WhyNoIdentitySwitch();
        PluginIdentities? identities = null;
        if (!UidRange.TryParse(sandbox.UidRange, out var range, out var rangeError))
        {
            // The validator refuses such options before any start; embedding code that skipped it gets this.
            throw new InvalidOperationException($"Sandbox:UidRange: {rangeError}");
        }

        if (whyNoIdentity is null)
        {
            identities = PluginIdentities.Open(options.StateDirectory, range);
        }

        // The probe runs bwrap exactly as an instance will: under a plugin's uid where ids switch.
        var probeUser = whyNoIdentity is null ? new PluginUser(range.First, range.First) : (PluginUser?)null;
        var whyNoNamespaces = sandbox.Disable.Contains("namespaces") ? Disabled
            : SandboxTools.Bwrap is null ? "bubblewrap (bwrap) is not installed; Debian: apt-get install bubblewrap"
            : TryBubblewrap(probeUser, network: true);
        var whyNoNetworkNamespace = whyNoNamespaces ?? TryBubblewrap(probeUser, network: false);
        var cgroups = sandbox.Disable.Contains("cgroup") ? null : CgroupLayout.Discover(group => LogStaleCgroup(logger, group));
        return new SandboxHost(sandbox, allHidden, whyNoIdentity, whyNoNamespaces, whyNoNetworkNamespace, identities, cgroups);
    }

    /// <summary>The layers a plugin gets on this host, applied or not, each with its reason.</summary>
    public IReadOnlyList<SandboxLayer> LayersFor(PluginOptions plugin)
    {
        if (Mode == SandboxMode.Off)
        {
            return [new SandboxLayer("sandbox", false, "Sandbox:Mode is off")];
        }

        List<SandboxLayer> layers =
        [
            _whyNoIdentity is null
                ? new SandboxLayer("identity", true, plugin.User is null ? $"a uid of its own from {_options.UidRange}, no supplementary groups, no capabilities" : $"User {plugin.User}, no supplementary groups, no capabilities")
                : new SandboxLayer("identity", false, _whyNoIdentity + "; plugins run as the supervisor's user", LeftOff("identity")),
            SandboxTools.Enter is not null
                ? new SandboxLayer("no_new_privs", true, "set by plugin-enter, with SIGKILL on the supervisor's death")
                : SandboxTools.Setpriv is null
                ? new SandboxLayer("no_new_privs", false, "setpriv (util-linux) is not installed")
                : new SandboxLayer("no_new_privs", true, "set by setpriv, with SIGKILL on the supervisor's death"),
            _whyNoNamespaces is null
                ? new SandboxLayer("namespaces", true, "bubblewrap: pid, mount, ipc and uts namespaces; read-only system, private /tmp")
                : new SandboxLayer("namespaces", false, _whyNoNamespaces, LeftOff("namespaces")),
        ];
        if (!plugin.Network)
        {
            layers.Add(_whyNoNetworkNamespace is null
                ? new SandboxLayer("network", true, "a network namespace of its own (Network: false)")
                : new SandboxLayer("network", false, $"Network is false but no network namespace can be made: {_whyNoNetworkNamespace}", LeftOff("namespaces")));
        }

        layers.Add(_cgroups is { CanKill: true }
            ? new SandboxLayer("cgroup", true, "every descendant is in the instance's cgroup, ended with it" + (_cgroups.V2 is not null ? " (cgroup v2)" : " (cgroup v1)"))
            : new SandboxLayer("cgroup", false, _cgroups is null ? "left off by Sandbox:Disable" : "no writable cgroup hierarchy: " + string.Join("; ", _cgroups.Notes), LeftOff("cgroup")));
        if (plugin.CpuLimit > 0)
        {
            layers.Add(Limit("cpu", _cgroups?.Provider("cpu"), $"CpuLimit {plugin.CpuLimit.ToString(CultureInfo.InvariantCulture)} cores"));
        }

        if (plugin.MemoryLimitMb > 0)
        {
            layers.Add(Limit("memory", _cgroups?.Provider("memory"), $"MemoryLimitMb {plugin.MemoryLimitMb}, counting descendants"));
        }

        if (plugin.MaxProcesses > 0)
        {
            layers.Add(Limit("processes", _cgroups?.Provider("pids"), $"MaxProcesses {plugin.MaxProcesses}"));
        }

        layers.Add(!SandboxTools.CanEnter
            ? new SandboxLayer("rlimits", false, "no /bin/sh to set them")
            : new SandboxLayer("rlimits", true, $"open files {plugin.MaxOpenFiles}, no core dumps"));
        return layers;
    }

    /// <summary>The id <paramref name="plugin"/> runs as, or <see langword="null"/> for the supervisor's own.</summary>
    /// <exception cref="InvalidOperationException">The uid range is used up.</exception>
    public PluginUser? UserFor(string plugin, PluginOptions options) =>
        Mode == SandboxMode.Off ? null : _identities?.For(plugin, options.User);

    /// <summary>The sandbox of a new instance: its command prefix, cgroup and private <c>/tmp</c>.</summary>
    /// <param name="options">The plugin's options.</param>
    /// <param name="user">The id it runs as (<see cref="UserFor"/>).</param>
    /// <param name="instanceId">The instance id (names its cgroup).</param>
    /// <param name="socketDirectory">The plugin's socket folder, bound into the sandbox.</param>
    /// <param name="versionDirectory">The version folder, bound read-only.</param>
    /// <param name="workingDirectory">Where the plugin starts.</param>
    /// <param name="command">The executable, resolved: its folder is bound read-only when it is outside the version folder.</param>
    /// <exception cref="IOException">The cgroup or the private /tmp could not be made.</exception>
    public InstanceSandbox Prepare(PluginOptions options, PluginUser? user, string instanceId, string socketDirectory, string versionDirectory, string workingDirectory, string command)
    {
        if (Mode == SandboxMode.Off || !SandboxTools.CanEnter)
        {
            return InstanceSandbox.None;
        }

        var layers = LayersFor(options);
        var memoryCapped = options.MemoryLimitMb > 0 && _cgroups?.Provider("memory") is not null;
        var limits = new ResourceLimits(
            _cgroups?.Provider("cpu") is null ? 0 : options.CpuLimit,
            memoryCapped ? (long)options.MemoryLimitMb * 1024 * 1024 : 0,
            _cgroups?.Provider("pids") is null ? 0 : options.MaxProcesses,
            options.MaxOpenFiles);
        var cgroup = _cgroups is { CanKill: true } ? _cgroups.CreateInstance(instanceId, limits) : null;
        var prefix = EnterArguments(options.MaxOpenFiles, cgroup?.ProcsFiles ?? [], user);

        string? privateTmp = null;
        if (_whyNoNamespaces is null)
        {
            privateTmp = Path.Combine(socketDirectory, instanceId + ".tmp");
            Directory.CreateDirectory(privateTmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (user is { } owner)
            {
                Posix.Chown(privateTmp, owner.Uid, owner.Gid);
            }

            prefix.Add(SandboxTools.Bwrap!);
            prefix.AddRange(BubblewrapArguments.Build(
                privateTmp,
                _hidden,
                [(socketDirectory, true), (versionDirectory, false), .. OutsideVersionFolder(versionDirectory, workingDirectory, Path.IsPathRooted(command) ? Path.GetDirectoryName(command) : null)],
                // Without a network namespace to give, Network: false is reported as not applied, the rest still is.
                options.Network || _whyNoNetworkNamespace is not null,
                workingDirectory));
        }

        return new InstanceSandbox(prefix, user, cgroup, privateTmp, layers, memoryCapped);
    }

    /// <summary>Hides one more path from every instance started after this call (the runtime folder, once created).</summary>
    public void Hide(string path) => _hidden.Add(path);

    /// <summary>
    /// The layers <paramref name="plugin"/> asks for that this host cannot apply (for <c>required</c>); a layer the
    /// operator left off, and the limits that go with it, are not asked for.
    /// </summary>
    public IReadOnlyList<SandboxLayer> Missing(PluginOptions plugin) =>
        [.. LayersFor(plugin).Where(l => !l.Applied && !l.LeftOff)];

    /// <summary>Removes the supervisor's cgroups (after every instance has ended).</summary>
    public Task ReleaseAsync() => _cgroups?.RemoveAsync() ?? Task.CompletedTask;

    /// <summary>Logs each layer once, and what a plugin's options ask for that this host cannot give.</summary>
    public void Report(ILogger logger, IReadOnlyDictionary<string, PluginOptions> plugins)
    {
        LogMode(logger, Mode.ToString().ToLowerInvariant());
        if (Mode == SandboxMode.Off)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, plugin) in plugins)
        {
            foreach (var layer in LayersFor(plugin))
            {
                if (!seen.Add(layer.Name + "|" + layer.Applied + "|" + layer.Detail))
                {
                    continue;
                }

                if (layer.Applied)
                {
                    LogLayerApplied(logger, layer.Name, layer.Detail);
                }
                else
                {
                    LogLayerMissing(logger, layer.Name, name, layer.Detail);
                }
            }
        }

        foreach (var note in _cgroups?.Notes ?? [])
        {
            LogCgroupNote(logger, note);
        }
    }

    private bool LeftOff(string layer) => _options.Disable.Contains(layer, StringComparer.Ordinal);

    private SandboxLayer Limit(string name, string? provider, string what) =>
        provider is not null ? new SandboxLayer(name, true, $"{what} ({provider})")
        : _cgroups is null ? new SandboxLayer(name, false, $"{what} asked for, but the cgroup layer is left off by Sandbox:Disable", LeftOff("cgroup"))
        : new SandboxLayer(name, false, $"{what} asked for, but no writable {(name == "processes" ? "pids" : name)} cgroup controller");

    // A working directory or a command (plugin.json may name one by absolute path) elsewhere than the version folder
    // stays visible, read-only: it may be in a folder the sandbox replaces, such as the host's /tmp.
    private static IEnumerable<(string Path, bool Writable)> OutsideVersionFolder(string versionDirectory, params string?[] folders) =>
        folders.OfType<string>()
            .Where(f => f != versionDirectory && !f.StartsWith(versionDirectory + "/", StringComparison.Ordinal) && Directory.Exists(f))
            .Distinct(StringComparer.Ordinal)
            .Select(f => (f, false));

    // What runs before bwrap (or the plugin): plugin-enter where it was built, else sh, setsid and setpriv, each an
    // exec of its own. Either way, in the cgroups and under the limits and ids before the plugin's first instruction.
    private static List<string> EnterArguments(int maxOpenFiles, IEnumerable<string> procsFiles, PluginUser? user)
    {
        if (SandboxTools.Enter is { } enter)
        {
            return InstanceSandbox.EnterArguments(enter, maxOpenFiles, procsFiles, user, HostPrivileges.CanDropBoundingSet);
        }

        var prefix = InstanceSandbox.EnterPrefix(SandboxTools.Shell!, maxOpenFiles, procsFiles);
        if (SandboxTools.Setsid is { } setsid)
        {
            prefix.AddRange([setsid, "--"]);
        }

        if (SandboxTools.Setpriv is { } setpriv)
        {
            prefix.AddRange(SetprivArguments(setpriv, user));
        }

        return prefix;
    }

    private static IEnumerable<string> SetprivArguments(string setpriv, PluginUser? user)
    {
        yield return setpriv;
        if (user is { } id)
        {
            yield return $"--reuid={id.Uid}";
            yield return $"--regid={id.Gid}";
            yield return "--clear-groups";
            yield return "--inh-caps=-all";

            // Dropping the bounding set takes CAP_SETPCAP; without it, the uid change has cleared every capability
            // already, and no_new_privs keeps file capabilities from granting any back.
            if (HostPrivileges.CanDropBoundingSet)
            {
                yield return "--bounding-set=-all";
            }
        }

        yield return "--no-new-privs";
        yield return "--pdeathsig=KILL";
        yield return "--";
    }

    private static string? TryBubblewrap(PluginUser? user, bool network)
    {
        var start = new ProcessStartInfo { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        IEnumerable<string> argv = SandboxTools.Enter is { } enter ? InstanceSandbox.EnterArguments(enter, new PluginOptions().MaxOpenFiles, [], user, HostPrivileges.CanDropBoundingSet)
            : user is null ? [] : SetprivArguments(SandboxTools.Setpriv!, user);
        argv = argv.Append(SandboxTools.Bwrap!).Concat(BubblewrapArguments.Build(null, [], [], network, "/")).Append("/bin/true");
        var list = argv.ToList();
        start.FileName = list[0];
        foreach (var arg in list.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"bwrap did not finish a trial run within {ProbeTimeout.TotalSeconds:0} s";
            }

            return process.ExitCode == 0 ? null : $"bwrap cannot make namespaces here (exit {process.ExitCode}: {stderr.Result.Trim()}); user namespaces may be disabled (kernel.unprivileged_userns_clone, a seccomp profile) or CAP_SYS_ADMIN missing";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"bwrap cannot be run: {ex.Message}";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox mode: {Mode}")]
    private static partial void LogMode(ILogger logger, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox layer {Layer}: applied, {Detail}")]
    private static partial void LogLayerApplied(ILogger logger, string layer, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox layer {Layer}: not applied (plugin {Plugin}, and any other with the same options): {Reason}")]
    private static partial void LogLayerMissing(ILogger logger, string layer, string plugin, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox cgroups: {Note}")]
    private static partial void LogCgroupNote(ILogger logger, string note);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ended the processes of {Group}, left by a supervisor that is no longer running, and removed it")]
    private static partial void LogStaleCgroup(ILogger logger, string group);
}
