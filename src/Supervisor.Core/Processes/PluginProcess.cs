using System.Collections;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using CliWrap;
using Microsoft.Extensions.Logging;
using Supervisor.Protocol;

namespace Supervisor.Processes;

/// <summary>
/// One running plugin process, launched through CliWrap with the handshake in its environment. Its stdin stays
/// open for its whole life (end of file tells it the supervisor is gone); its stdout carries the ready line,
/// and the rest of its output becomes tagged log lines.
/// </summary>
internal sealed partial class PluginProcess
{
    private const int StderrTailLines = 20;
    private const string PluginManifestFile = Configuration.PluginManifest.FileName;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseStdin = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OutputTail _stderrTail = new(StderrTailLines);
    private readonly PluginOutputLogger _output;
    private readonly ILogger _logger;
    private readonly PluginLaunch _launch;

    private PluginProcess(PluginLaunch launch, ILogger logger)
    {
        _launch = launch;
        _logger = logger;
        _output = new PluginOutputLogger(logger, new PluginLogScope(launch.Plugin, launch.Version, launch.InstanceId, null));
        Exited = Task.FromResult(new ProcessExit(-1));
    }

    public int Pid { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Completes with the announced address once the ready line arrives; faults if the process exits first.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes when the process has exited.</summary>
    public Task<ProcessExit> Exited { get; private set; }

    public PluginLogScope LogScope => _output.Scope;

    public string StderrTail => _stderrTail.Describe();

    /// <summary>Starts the process.</summary>
    /// <exception cref="PluginStartException">The executable could not be started.</exception>
    public static PluginProcess Start(PluginLaunch launch, ILogger logger, TimeProvider time)
    {
        var process = new PluginProcess(launch, logger);
        var executable = launch.Manifest.ResolvedCommand;
        if (Path.IsPathRooted(executable) && !File.Exists(executable))
        {
            throw new PluginStartException($"cannot execute '{executable}' (from {Path.Combine(launch.Manifest.Directory, PluginManifestFile)}): no such file");
        }

        // setsid execs in place (same pid) and makes the plugin the leader of its own process group.
        var command = (ProcessGroup.Setsid is { } setsid
                ? Cli.Wrap(setsid).WithArguments(["--", executable, .. launch.Manifest.Args])
                : Cli.Wrap(executable).WithArguments(launch.Manifest.Args))
            .WithWorkingDirectory(launch.Manifest.ResolvedWorkingDirectory)
            .WithEnvironmentVariables(process.Environment())
            .WithStandardInputPipe(PipeSource.Create(process.HoldStdinOpenAsync))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(process.OnStdout))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(process.OnStderr))
            .WithValidation(CommandResultValidation.None);
        CommandTask<CommandResult> execution;
        try
        {
            execution = command.ExecuteAsync();
        }
        catch (Win32Exception ex)
        {
            throw new PluginStartException($"cannot execute '{executable}' (from {Path.Combine(launch.Manifest.Directory, PluginManifestFile)}): {ex.Message}", ex);
        }

        process.Pid = execution.ProcessId;
        process.StartedAt = time.GetUtcNow();
        process._output.Scope = new PluginLogScope(launch.Plugin, launch.Version, launch.InstanceId, execution.ProcessId);
        process.Exited = process.WatchExitAsync(execution);
        return process;
    }

    /// <summary>Sends SIGKILL to the process's whole group, and to any descendant that left the group.</summary>
    public void Kill()
    {
        ProcessGroup.Kill(Pid);
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception)
        {
            // Already gone: nothing to kill.
        }
    }

    /// <summary>Closes the process's stdin: a plugin reads that as "the supervisor is gone" and exits.</summary>
    public void CloseStdin() => _releaseStdin.TrySetResult();

    private async Task<ProcessExit> WatchExitAsync(CommandTask<CommandResult> execution)
    {
        ProcessExit exit;
        try
        {
            var result = await execution.ConfigureAwait(false);
            exit = new ProcessExit(result.ExitCode);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException)
        {
            LogWatchFailed(_logger, ex, _launch.InstanceId);
            exit = new ProcessExit(-1);
        }

        _releaseStdin.TrySetResult();
        _ready.TrySetException(new PluginStartException($"exited before it was ready ({exit}); stderr: {StderrTail}"));
        return exit;
    }

    private async Task HoldStdinOpenAsync(Stream stdin, CancellationToken cancellationToken) =>
        await _releaseStdin.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

    private void OnStdout(string line)
    {
        if (!_ready.Task.IsCompleted && ReadyLine.IsAnnouncement(line))
        {
            if (ReadyLine.TryParse(line, out var address, out var error))
            {
                _ready.TrySetResult(address);
            }
            else
            {
                _ready.TrySetException(new PluginStartException(error));
            }

            return;
        }

        _output.Stdout(line);
    }

    private void OnStderr(string line)
    {
        _stderrTail.Add(line);
        _output.Stderr(line);
    }

    private Dictionary<string, string?> Environment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Supervisor__… overrides can hold the admin token: they are the supervisor's, not the plugin's.
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("Supervisor__", StringComparison.OrdinalIgnoreCase))
            {
                variables[name] = null;
            }
        }

        foreach (var (name, value) in _launch.Manifest.Env)
        {
            variables[name] = value;
        }

        variables[Handshake.ProtocolVersionVariable] = Handshake.ProtocolVersion;
        variables[Handshake.AddressVariable] = "unix://" + _launch.SocketPath;
        variables[Handshake.TokenVariable] = _launch.Token;
        variables[Handshake.NameVariable] = _launch.Plugin;
        variables[Handshake.VersionVariable] = _launch.Version;
        variables[Handshake.InstanceIdVariable] = _launch.InstanceId;
        variables[Handshake.SettingsVariable] = JsonSerializer.Serialize(_launch.Settings, SettingsJsonContext.Default.IReadOnlyDictionaryStringString);
        return variables;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost track of plugin process for instance {InstanceId}")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string instanceId);
}
