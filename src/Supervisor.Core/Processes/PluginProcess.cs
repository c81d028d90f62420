using System.Collections;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CliWrap;
using Microsoft.Extensions.Logging;
using Supervisor.Protocol;
using Supervisor.Sandbox;

namespace Supervisor.Processes;

/// <summary>
/// One running plugin process, launched through CliWrap with the handshake in its environment. Its stdin stays
/// open for its whole life (end of file tells it the supervisor is gone); its stdout carries the ready line,
/// and the rest of its output becomes tagged log lines, bounded in length and rate (<see cref="OutputLimits"/>).
/// Its output is read to the end whatever it contains: a reader that stopped would kill the plugin with EPIPE.
/// </summary>
internal sealed partial class PluginProcess
{
    private const int StderrTailLines = 20;
    private static readonly string[] SupervisorOnlyPrefixes = ["Supervisor__", "SUPERVISOR_ADMIN_", "DOTNET_EnableDiagnostics", "COMPlus_EnableDiagnostics"];
    private const string PluginManifestFile = Configuration.PluginManifest.FileName;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseStdin = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OutputTail _stderrTail = new(StderrTailLines);
    private readonly LineRateLimit _lineRate;
    private readonly PluginOutputLogger _output;
    private readonly ITimer _droppedReport;
    private readonly ILogger _logger;
    private readonly PluginLaunch _launch;
    private StderrRecording? _stderrRecording;

    private PluginProcess(PluginLaunch launch, ILogger logger, TimeProvider time)
    {
        _launch = launch;
        _logger = logger;
        _lineRate = new LineRateLimit(OutputLimits.LineBurst, OutputLimits.LinesPerSecond, time);
        _output = new PluginOutputLogger(logger, new PluginLogScope(launch.Plugin, launch.Version, launch.InstanceId, null), _lineRate);
        _droppedReport = time.CreateTimer(static state => ((PluginProcess)state!).ReportDropped(), this, OutputLimits.DroppedReportInterval, OutputLimits.DroppedReportInterval);
        Exited = Task.FromResult(new ProcessExit(-1));
    }

    /// <summary>
    /// Gets the id of the process the supervisor started, which leads the process group: the plugin itself, or under
    /// bubblewrap its outermost bwrap (ending it ends the whole sandbox). Logs, events and the admin API name this one.
    /// </summary>
    public int Pid { get; private set; }

    /// <summary>
    /// Gets the id of the plugin's own process as the host sees it: <see cref="Pid"/>, or once the plugin is ready
    /// inside bubblewrap's namespaces, the process bwrap started (where its runtime's diagnostics socket is).
    /// </summary>
    public int PluginPid { get; private set; }

    /// <summary>Gets the instance's sandbox.</summary>
    public InstanceSandbox Sandbox => _launch.Sandbox;

    /// <summary>Gets what the instance and everything it started use now.</summary>
    public ResourceUsage Usage => _launch.Sandbox.Usage(Pid);

    /// <summary>Gets how many processes of the instance the kernel killed at its memory cap.</summary>
    public long OomKills => _launch.Sandbox.Cgroup?.OomKills ?? 0;

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Completes with the announced address once the ready line arrives; faults if the process exits first.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes when the process has exited.</summary>
    public Task<ProcessExit> Exited { get; private set; }

    public PluginLogScope LogScope => _output.Scope;

    public string StderrTail => _stderrTail.Describe();

    /// <summary>Gets the manifest the process was started from.</summary>
    public Configuration.PluginManifest Manifest => _launch.Manifest;

    /// <summary>Gets or sets where stderr lines also go while a hang dump is captured; <see langword="null"/> otherwise.</summary>
    public StderrRecording? StderrRecording
    {
        get => Volatile.Read(ref _stderrRecording);
        set => Volatile.Write(ref _stderrRecording, value);
    }

    /// <summary>Starts the process, from the <see cref="LauncherThread"/>.</summary>
    /// <exception cref="PluginStartException">The executable could not be started.</exception>
    public static async Task<PluginProcess> StartAsync(PluginLaunch launch, ILogger logger, TimeProvider time)
    {
        try
        {
            return await LauncherThread.RunAsync(() => Start(launch, logger, time)).ConfigureAwait(false);
        }
        catch (PluginStartException)
        {
            await launch.Sandbox.CleanUpAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private static PluginProcess Start(PluginLaunch launch, ILogger logger, TimeProvider time)
    {
        var executable = launch.Manifest.ResolvedCommand;
        if (Path.IsPathRooted(executable) && !File.Exists(executable))
        {
            throw new PluginStartException($"cannot execute '{executable}' (from {Path.Combine(launch.Manifest.Directory, PluginManifestFile)}): no such file");
        }

        var process = new PluginProcess(launch, logger, time);

        // setsid execs in place (same pid) and makes the plugin the leader of its own process group; a sandbox's
        // wrappers run setsid themselves.
        // Asked of the sandbox, not read from the file name: a plugin whose command is the wrapper's own program (such
        // as /bin/sh) would otherwise lose its whole sandbox to a bare setsid.
        var (fileName, arguments) = launch.Sandbox.Command(executable, launch.Manifest.Args);
        if (!launch.Sandbox.Wraps && ProcessGroup.Setsid is { } setsid)
        {
            (fileName, arguments) = (setsid, ["--", executable, .. launch.Manifest.Args]);
        }

        var command = Cli.Wrap(fileName).WithArguments(arguments)
            .WithWorkingDirectory(launch.Manifest.ResolvedWorkingDirectory)
            .WithEnvironmentVariables(process.Environment())
            .WithStandardInputPipe(PipeSource.Create(process.HoldStdinOpenAsync))
            .WithStandardOutputPipe(PipeTarget.Create(process.ReadStdoutAsync))
            .WithStandardErrorPipe(PipeTarget.Create(process.ReadStderrAsync))
            .WithValidation(CommandResultValidation.None);
        CommandTask<CommandResult> execution;
        try
        {
            execution = command.ExecuteAsync();
        }
        catch (Win32Exception ex)
        {
            process._droppedReport.Dispose();
            throw new PluginStartException($"cannot execute '{executable}' (from {Path.Combine(launch.Manifest.Directory, PluginManifestFile)}): {ex.Message}", ex);
        }

        process.Pid = process.PluginPid = execution.ProcessId;
        process.StartedAt = time.GetUtcNow();
        process._output.Scope = new PluginLogScope(launch.Plugin, launch.Version, launch.InstanceId, execution.ProcessId);
        process.Exited = process.WatchExitAsync(execution);
        return process;
    }

    /// <summary>
    /// Sends SIGKILL to the instance's cgroup, the process's whole group, and any descendant that left the group.
    /// </summary>
    public void Kill()
    {
        _launch.Sandbox.Cgroup?.Kill();
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
        var exit = await ExitOf(execution, _logger, _launch.InstanceId).ConfigureAwait(false);
        _releaseStdin.TrySetResult();

        // No descendant outlives its instance: a daemon that left the process group is still in the cgroup, and one
        // that stayed in the group is killed through it even though its leader is gone.
        var oomKills = OomKills;
        ProcessGroup.Kill(Pid);

        // The cleanup kills the cgroup before its first wait; removing the emptied cgroup and the private /tmp need
        // not hold up the exit's accounting.
        _ = _launch.Sandbox.CleanUpAsync(CancellationToken.None);
        exit = exit with { OomKills = oomKills };
        RemoveSocket();
        _ready.TrySetException(new PluginStartException($"exited before it was ready ({exit}); stderr: {StderrTail}"));

        // Both readers are done (CliWrap waits for them): the last count is final.
        await _droppedReport.DisposeAsync().ConfigureAwait(false);
        ReportDropped();
        return exit;
    }

    // A killed plugin leaves its socket file behind; without this every restart would leave one more.
    private void RemoveSocket()
    {
        try
        {
            File.Delete(_launch.SocketPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSocketLeft(_logger, _launch.SocketPath, ex.Message);
        }
    }

    /// <summary>
    /// The exit of an execution, whatever it faulted with: an instance whose exit is never accounted for is never
    /// replaced, and blocks every drain and shutdown that waits for it. CliWrap surfaces a fault only once the
    /// process is gone (it waits for the exit before its pipes), so an exit code of -1 then means "unknown".
    /// </summary>
    internal static async Task<ProcessExit> ExitOf(Task<CommandResult> execution, ILogger logger, string instanceId)
    {
        try
        {
            var result = await execution.ConfigureAwait(false);
            return new ProcessExit(result.ExitCode);
        }
        catch (Exception ex)
        {
            LogWatchFailed(logger, ex, instanceId);
            return new ProcessExit(-1);
        }
    }

    private async Task HoldStdinOpenAsync(Stream stdin, CancellationToken cancellationToken) =>
        await _releaseStdin.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

    private Task ReadStdoutAsync(Stream stdout, CancellationToken cancellationToken) =>
        new BoundedLineReader(OutputLimits.MaxLineBytes, OnStdout, OnOutputHandlerFailed).ReadToEndAsync(stdout, cancellationToken);

    private Task ReadStderrAsync(Stream stderr, CancellationToken cancellationToken) =>
        new BoundedLineReader(OutputLimits.MaxLineBytes, OnStderr, OnOutputHandlerFailed).ReadToEndAsync(stderr, cancellationToken);

    private void OnStdout(ReadOnlySpan<byte> line, long droppedBytes)
    {
        // Before the rate limit: however much a plugin writes first, its ready line is never dropped.
        if (!_ready.Task.IsCompleted && droppedBytes == 0 && ReadyLine.IsAnnouncement(line))
        {
            if (ReadyLine.TryParse(Encoding.UTF8.GetString(line), out var address, out var error))
            {
                if (_launch.Sandbox.Namespaces)
                {
                    PluginPid = SandboxedProcess.Find(Pid);
                }

                _ready.TrySetResult(address);
            }
            else
            {
                _ready.TrySetException(new PluginStartException(error));
            }

            return;
        }

        _output.Stdout(line, droppedBytes);
    }

    private void OnStderr(ReadOnlySpan<byte> line, long droppedBytes)
    {
        // Every line, even one the rate limit drops from the log: the tail is what explains an exit.
        _stderrTail.Add(line, droppedBytes);
        Volatile.Read(ref _stderrRecording)?.Add(line);
        _output.Stderr(line, droppedBytes);
    }

    private void OnOutputHandlerFailed(Exception exception)
    {
        // Under the line rate too: a handler that fails on every line of a flood must not flood the log itself.
        if (_lineRate.TryTake())
        {
            using (_logger.BeginScope(_output.Scope))
            {
                LogOutputHandlerFailed(_logger, exception);
            }
        }
    }

    private void ReportDropped()
    {
        try
        {
            _output.ReportDropped();
        }
        catch (Exception ex)
        {
            // A timer callback that throws takes the whole supervisor down; a failed report is not worth that.
            LogDroppedReportFailed(_logger, ex, _launch.InstanceId);
        }
    }

    private Dictionary<string, string?> Environment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);

        // The supervisor's own settings are not the plugin's: Supervisor__… overrides and SUPERVISOR_ADMIN_… can hold
        // the admin token and address, and DOTNET_EnableDiagnostics… is how the operator set the supervisor's own
        // diagnostics port (a .NET plugin keeps its own, for hang dumps).
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && SupervisorOnlyPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                variables[name] = null;
            }
        }

        foreach (var (name, value) in _launch.Manifest.Env)
        {
            variables[name] = value;
        }

        if (_launch.Sandbox.Namespaces)
        {
            // The private /tmp is the only writable folder besides the socket folder; the supervisor's TMPDIR and HOME
            // may be hidden or not the plugin's to write.
            variables["TMPDIR"] = "/tmp";
            variables["HOME"] = "/tmp";
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost track of plugin process for instance {InstanceId}; counted as exited with an unknown exit code")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to handle a line of plugin output; reading goes on")]
    private static partial void LogOutputHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to report dropped output lines for instance {InstanceId}")]
    private static partial void LogDroppedReportFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the socket file {SocketPath} of an exited plugin: {Reason}")]
    private static partial void LogSocketLeft(ILogger logger, string socketPath, string reason);
}
