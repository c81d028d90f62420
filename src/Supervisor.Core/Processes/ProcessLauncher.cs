using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Sandbox;

namespace Supervisor.Processes;

/// <summary>
/// Starts plugin processes: each in its plugin's socket folder and sandbox, from the <see cref="LauncherThread"/>.
/// One per supervisor; it owns the runtime folder and the sandbox's host-wide parts.
/// </summary>
internal sealed class ProcessLauncher : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private ProcessLauncher(RuntimeDirectory directory, SandboxHost sandbox, ILogger logger, TimeProvider time)
    {
        Directory = directory;
        Sandbox = sandbox;
        _logger = logger;
        _time = time;
    }

    /// <summary>Gets the runtime folder holding every plugin's socket folder.</summary>
    public RuntimeDirectory Directory { get; }

    /// <summary>Gets the sandbox this host gives plugins.</summary>
    public SandboxHost Sandbox { get; }

    /// <summary>Creates the runtime folder over an already probed sandbox.</summary>
    public static ProcessLauncher Create(string? runtimeDirectory, SandboxHost sandbox, ILogger logger, TimeProvider time)
    {
        var directory = RuntimeDirectory.Create(runtimeDirectory, traversable: sandbox.SwitchesIdentity);
        if (sandbox.SwitchesIdentity && PathAccess.FirstClosedFolder(directory.Path) is { } closed)
        {
            directory.Dispose();
            throw new SupervisorConfigurationException([new ConfigurationError(
                $"{SupervisorOptions.SectionName}:RuntimeDirectory",
                "options",
                $"'{directory.Path}' is inside '{closed}', which other users cannot pass through (no o+x), so plugins under their own uids could not reach their sockets; choose a folder under one they can (e.g. /run/plugin-supervisor), or chmod o+x '{closed}'")]);
        }

        // Each instance sees its own plugin's socket folder, bound back in; never its siblings'.
        sandbox.Hide(directory.Path);
        return new ProcessLauncher(directory, sandbox, logger, time);
    }

    /// <summary>Starts one instance's process.</summary>
    /// <exception cref="PluginStartException">The process or its sandbox could not be set up.</exception>
    public Task<PluginProcess> StartAsync(string plugin, string version, string instanceId, string suffix, PluginManifest manifest, string token, PluginOptions options)
    {
        InstanceSandbox sandbox;
        string socketPath;
        try
        {
            var user = Sandbox.UserFor(plugin, options);
            if (user is not null && PathAccess.FirstClosedFolder(Path.Combine(manifest.Directory, PluginManifest.FileName)) is { } closed)
            {
                throw new PluginStartException($"its version folder {manifest.Directory} is inside {closed}, which the plugin's uid {user.Value.Uid} cannot pass through (no o+x); make the plugins folder readable by others");
            }

            var socketDirectory = Directory.PluginDirectory(plugin, user);
            socketPath = RuntimeDirectory.SocketPathIn(socketDirectory, suffix);
            sandbox = Sandbox.Prepare(options, user, instanceId, socketDirectory, manifest.Directory, manifest.ResolvedWorkingDirectory, manifest.ResolvedCommand);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException)
        {
            throw new PluginStartException($"cannot prepare the sandbox: {ex.Message}", ex);
        }

        var launch = new PluginLaunch(plugin, version, instanceId, manifest, socketPath, token, options.Settings, sandbox);
        return PluginProcess.StartAsync(launch, _logger, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.ReleaseAsync().ConfigureAwait(false);
        Directory.Dispose();
    }
}
