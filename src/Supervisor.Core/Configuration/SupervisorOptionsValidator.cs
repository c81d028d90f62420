using System.Globalization;
using System.Text;
using Supervisor.Processes;

namespace Supervisor.Configuration;

/// <summary>
/// Checks options before anything starts. Hand-written rather than DataAnnotations because every message
/// names the full key (<c>Supervisor:Plugins:echo:Instances</c>) and its source, and cross-field rules
/// (TCP admin needs a token, the version must be on disk) need code anyway.
/// </summary>
public static class SupervisorOptionsValidator
{
    /// <summary>The largest <see cref="PluginOptions.Instances"/> accepted.</summary>
    public const int MaxInstances = 256;

    /// <summary>
    /// The longest duration any option accepts. Timers (<see cref="Task.Delay(TimeSpan)"/>,
    /// <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>) refuse more than about 49.7 days, and a restart delay
    /// or deadline of more than a day is a typo, not an intent.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>The smallest <c>MaxMessageBytes</c> or <c>MaxPayloadBytes</c> accepted (1 KiB).</summary>
    public const int MinMessageBytes = 1024;

    /// <summary>The largest <c>MaxMessageBytes</c> or <c>MaxPayloadBytes</c> accepted (256 MiB): each call buffers its message whole.</summary>
    public const int MaxMessageBytes = 256 * 1024 * 1024;

    /// <summary>The smallest non-zero <see cref="PluginOptions.CpuLimit"/> accepted, in cores.</summary>
    public const double MinCpuLimit = 0.01;

    /// <summary>The largest <see cref="PluginOptions.CpuLimit"/> accepted, in cores.</summary>
    public const double MaxCpuLimit = 1024;

    /// <summary>The largest <see cref="PluginOptions.MaxProcesses"/> accepted (the kernel's own pid limit).</summary>
    public const int MaxProcessesLimit = 4_194_304;

    /// <summary>The largest <see cref="EventsOptions.MaxConcurrentStreams"/> accepted.</summary>
    public const int MaxConcurrentStreams = 100_000;

    /// <summary>Validates the options.</summary>
    /// <param name="options">The options, with absolute paths.</param>
    /// <param name="describeSource">Names where a key's value came from; <see langword="null"/> for "options".</param>
    /// <returns>Every problem found; empty when the options are valid.</returns>
    public static IReadOnlyList<ConfigurationError> Validate(SupervisorOptions options, Func<string, string>? describeSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ConfigurationError>();
        var source = describeSource ?? (_ => "options");
        void Fail(string key, string message) => errors.Add(new ConfigurationError(key, source(key), message));
        const string Root = SupervisorOptions.SectionName;

        if (!Directory.Exists(options.PluginsRoot))
        {
            Fail($"{Root}:PluginsRoot", $"folder '{options.PluginsRoot}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            Fail($"{Root}:StateDirectory", "is empty");
        }

        NotNegative(Fail, $"{Root}:ShutdownTimeout", options.ShutdownTimeout);
        ValidateRuntimeDirectory(options, Fail);

        ListenAddress? events = null;
        if (!ListenAddress.TryParse(options.Events.Listen, out events, out var eventsError))
        {
            Fail($"{Root}:Events:Listen", eventsError);
        }

        Range(Fail, $"{Root}:Events:MaxMessageBytes", options.Events.MaxMessageBytes, MinMessageBytes, MaxMessageBytes);
        Range(Fail, $"{Root}:Events:MaxConcurrentStreams", options.Events.MaxConcurrentStreams, 1, MaxConcurrentStreams);
        Range(Fail, $"{Root}:Admin:MaxMessageBytes", options.Admin.MaxMessageBytes, MinMessageBytes, MaxMessageBytes);
        if (options.Admin.Listen is null)
        {
            // The default admin socket sits in the state folder: a deep folder makes it too long to bind.
            var defaultAdmin = options.Admin.EffectiveListen(options.StateDirectory);
            if (!ListenAddress.TryParse(defaultAdmin, out _, out var defaultAdminError))
            {
                Fail($"{Root}:Admin:Listen", $"is not set, and the default in StateDirectory will not do: {defaultAdminError}; set Admin:Listen to a shorter path");
            }
        }
        else
        {
            if (!ListenAddress.TryParse(options.Admin.Listen, out var admin, out var adminError))
            {
                Fail($"{Root}:Admin:Listen", adminError);
            }
            else if (!admin.IsUnixSocket && string.IsNullOrEmpty(options.Admin.Token))
            {
                Fail($"{Root}:Admin:Token", $"is required because Admin:Listen is TCP ({admin}); without it anyone who can reach the port could kill plugins");
            }
            else if (events is not null && SameAddress(events, admin))
            {
                Fail($"{Root}:Admin:Listen", $"is the same address as Events:Listen ({admin}); the two APIs need their own listeners");
            }
        }

        if (options.Monitoring.Enabled)
        {
            if (!ListenAddress.TryParse(options.Monitoring.Listen, out var monitoring, out var monitoringError))
            {
                Fail($"{Root}:Monitoring:Listen", monitoringError);
            }
            else if (monitoring.IsUnixSocket)
            {
                Fail($"{Root}:Monitoring:Listen", $"'{monitoring}' is a Unix socket; probes and Prometheus need http://host:port (an empty string turns the listener off)");
            }
            else if (events is not null && SameAddress(events, monitoring))
            {
                Fail($"{Root}:Monitoring:Listen", $"is the same address as Events:Listen ({monitoring}); it needs its own port");
            }
        }

        ValidateSandbox($"{Root}:Sandbox", options.Sandbox, Fail);
        if (options.Plugins.Count == 0 && !options.Discover)
        {
            Fail($"{Root}:Plugins", "no plugin is configured; add e.g. \"Plugins\": { \"echo\": { \"Version\": \"1.0.0\" } }, or set Discover to true to run every plugin under PluginsRoot");
        }

        foreach (var (name, plugin) in options.Plugins)
        {
            ValidatePlugin($"{Root}:Plugins:{name}", name, plugin, options.PluginsRoot, Fail);
        }

        DependencyOrder.Validate(options.Plugins, Fail);
        return errors;
    }

    private static void ValidatePlugin(string key, string name, PluginOptions plugin, string pluginsRoot, Action<string, string> fail)
    {
        if (!FolderName.IsValid(name))
        {
            fail(key, $"plugin name '{name}' must be {FolderName.Rule}");
            return;
        }

        if (string.IsNullOrWhiteSpace(plugin.Version))
        {
            fail($"{key}:Version", "is required: the folder name under PluginsRoot/" + name + "/");
        }
        else if (!FolderName.IsValid(plugin.Version))
        {
            fail($"{key}:Version", $"'{plugin.Version}' is not a valid version folder name");
        }
        else if (Directory.Exists(pluginsRoot))
        {
            var manifestPath = PluginManifest.PathOf(pluginsRoot, name, plugin.Version);
            try
            {
                CommandPin.Verify(PluginManifest.Load(manifestPath), requireFile: false);
            }
            catch (Exception ex) when (ex is InvalidDataException or PinnedCommandMismatchException)
            {
                fail($"{key}:Version", $"version '{plugin.Version}' is not usable: {ex.Message}");
            }
        }

        Range(fail, $"{key}:Instances", plugin.Instances, 1, MaxInstances);
        Range(fail, $"{key}:MaxConcurrency", plugin.MaxConcurrency, 1, 100_000);
        Range(fail, $"{key}:QueueLimit", plugin.QueueLimit, 0, 1_000_000);
        Range(fail, $"{key}:MaxRestarts", plugin.MaxRestarts, 0, 10_000);
        Range(fail, $"{key}:MemoryLimitMb", plugin.MemoryLimitMb, 0, 1_048_576);
        Range(fail, $"{key}:MaxPayloadBytes", plugin.MaxPayloadBytes, MinMessageBytes, MaxMessageBytes);
        Range(fail, $"{key}:MaxProcesses", plugin.MaxProcesses, 0, MaxProcessesLimit);
        Range(fail, $"{key}:MaxOpenFiles", plugin.MaxOpenFiles, 16, 1_048_576);
        if (double.IsNaN(plugin.CpuLimit) || (plugin.CpuLimit != 0 && (plugin.CpuLimit < MinCpuLimit || plugin.CpuLimit > MaxCpuLimit)))
        {
            fail($"{key}:CpuLimit", $"must be 0 (no limit) or between {MinCpuLimit} and {MaxCpuLimit} cores, got {plugin.CpuLimit.ToString(CultureInfo.InvariantCulture)}");
        }

        if (plugin.User is { } user && !PluginUser.TryResolve(user, out _, out var userError))
        {
            fail($"{key}:User", userError);
        }

        Positive(fail, $"{key}:Deadline", plugin.Deadline);
        Positive(fail, $"{key}:RestartDelay", plugin.RestartDelay);
        Positive(fail, $"{key}:RestartWindow", plugin.RestartWindow);
        Positive(fail, $"{key}:StartupTimeout", plugin.StartupTimeout);
        Positive(fail, $"{key}:LivenessInterval", plugin.LivenessInterval);
        Positive(fail, $"{key}:LivenessTimeout", plugin.LivenessTimeout);
        NotNegative(fail, $"{key}:HangGrace", plugin.HangGrace);
        NotNegative(fail, $"{key}:DrainTimeout", plugin.DrainTimeout);
        NotNegative(fail, $"{key}:RestartMaxDelay", plugin.RestartMaxDelay);
        if (plugin.RestartMaxDelay < plugin.RestartDelay)
        {
            fail($"{key}:RestartMaxDelay", $"({plugin.RestartMaxDelay}) must be at least RestartDelay ({plugin.RestartDelay})");
        }

        ValidateCanary($"{key}:Canary", plugin.Canary, fail);
    }

    private static void ValidateSandbox(string key, SandboxOptions sandbox, Action<string, string> fail)
    {
        if (!Enum.IsDefined(sandbox.Mode))
        {
            fail($"{key}:Mode", $"must be auto, required or off, got {(int)sandbox.Mode}");
        }

        if (!UidRange.TryParse(sandbox.UidRange, out _, out var rangeError))
        {
            fail($"{key}:UidRange", rangeError);
        }

        for (var i = 0; i < sandbox.Disable.Count; i++)
        {
            if (sandbox.Disable[i] is not ("identity" or "namespaces" or "cgroup"))
            {
                fail($"{key}:Disable:{i}", $"'{sandbox.Disable[i]}' is not a layer that can be left off; use identity, namespaces or cgroup");
            }
        }

        for (var i = 0; i < sandbox.HiddenPaths.Count; i++)
        {
            if (!Path.IsPathFullyQualified(sandbox.HiddenPaths[i]))
            {
                fail($"{key}:HiddenPaths:{i}", $"'{sandbox.HiddenPaths[i]}' is not an absolute path");
            }
        }
    }

    private static void ValidateCanary(string key, CanaryOptions canary, Action<string, string> fail)
    {
        for (var i = 0; i < canary.Steps.Count; i++)
        {
            var weight = canary.Steps[i];
            if (weight is < 1 or > 99)
            {
                fail($"{key}:Steps:{i}", $"must be between 1 and 99 (percent; 100 follows the last step), got {weight}");
            }
            else if (i > 0 && weight <= canary.Steps[i - 1])
            {
                fail($"{key}:Steps:{i}", $"must be greater than the step before it ({canary.Steps[i - 1]}), got {weight}");
            }
        }

        Positive(fail, $"{key}:Interval", canary.Interval);
        NotNegative(fail, $"{key}:MaxP99", canary.MaxP99);
        Range(fail, $"{key}:MinCalls", canary.MinCalls, 1, 1_000_000);
        if (double.IsNaN(canary.MaxFailureRate) || canary.MaxFailureRate is < 0 or > 1)
        {
            fail($"{key}:MaxFailureRate", $"must be between 0 and 1 (0.01 is 1%), got {canary.MaxFailureRate}");
        }

        if (double.IsNaN(canary.MaxP99Ratio) || canary.MaxP99Ratio < 0 || (canary.MaxP99Ratio > 0 && canary.MaxP99Ratio < 1))
        {
            fail($"{key}:MaxP99Ratio", $"must be 0 (no comparison) or at least 1, got {canary.MaxP99Ratio}");
        }
    }

    private static void Range(Action<string, string> fail, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            fail(key, $"must be between {min} and {max}, got {value}");
        }
    }

    private static void Positive(Action<string, string> fail, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            fail(key, $"must be greater than zero (e.g. \"00:00:05\" for 5 s), got {value}");
        }
        else
        {
            AtMostMaxDuration(fail, key, value);
        }
    }

    private static void NotNegative(Action<string, string> fail, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            fail(key, $"must not be negative, got {value}");
        }
        else
        {
            AtMostMaxDuration(fail, key, value);
        }
    }

    private static void AtMostMaxDuration(Action<string, string> fail, string key, TimeSpan value)
    {
        if (value > MaxDuration)
        {
            fail(key, $"must be at most {MaxDuration.ToString("c", CultureInfo.InvariantCulture)} (1 day), got {value.ToString("c", CultureInfo.InvariantCulture)}");
        }
    }

    // Every plugin socket is <RuntimeDirectory>/<plugin>/<8 hex>.sock (the instance id's suffix); the
    // longest plugin name decides whether they all fit. A generated folder is chosen at start, not configured.
    private static void ValidateRuntimeDirectory(SupervisorOptions options, Action<string, string> fail)
    {
        if (string.IsNullOrEmpty(options.RuntimeDirectory) || options.Plugins.Count == 0)
        {
            return;
        }

        var longest = options.Plugins.Keys.MaxBy(name => name.Length)!;
        var socketPath = RuntimeDirectory.LongestSocketPath(options.RuntimeDirectory, longest);
        var bytes = Encoding.UTF8.GetByteCount(socketPath);
        if (bytes > ListenAddress.MaxSocketPathBytes)
        {
            fail(
                $"{SupervisorOptions.SectionName}:RuntimeDirectory",
                $"'{options.RuntimeDirectory}' is too long: plugin '{longest}' would get sockets like '{socketPath}', {bytes} bytes, and a Unix socket path can be at most {ListenAddress.MaxSocketPathBytes} bytes; choose a shorter folder");
        }
    }

    // Port 0 asks the system for a free port: two listeners configured so never clash.
    private static bool SameAddress(ListenAddress a, ListenAddress b) =>
        string.Equals(a.Original, b.Original, StringComparison.OrdinalIgnoreCase) && (a.IsUnixSocket || a.Port != 0);
}
