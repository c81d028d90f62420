using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Supervisor.Protocol;

namespace Supervisor.Tests.TestAssets;

/// <summary>The published <c>supervisor</c> executable running as a real child process of the test.</summary>
internal sealed partial class SupervisorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SupervisorProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string EventsAddress { get; private set; } = string.Empty;

    public string AdminAddress { get; private set; } = string.Empty;

    /// <summary>Gets the probes and metrics address, e.g. <c>http://127.0.0.1:40123</c>; "off" when disabled.</summary>
    public string MonitoringAddress { get; private set; } = string.Empty;

    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>supervisor run --config</c> without waiting for it to be ready.</summary>
    /// <param name="launcher">A command that runs the supervisor, e.g. <c>unshare … --</c>; none when empty.</param>
    public static SupervisorProcess Launch(string configPath, IReadOnlyDictionary<string, string>? environment = null, params string[] launcher) =>
        Launch(configPath, "text", environment, launcher);

    /// <summary>Starts the supervisor with its log in <paramref name="logFormat"/> (the tests read text lines unless they test JSON).</summary>
    public static SupervisorProcess Launch(string configPath, string logFormat, IReadOnlyDictionary<string, string>? environment, string[] launcher)
    {
        Repository.RequireArtifacts();
        var start = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : Repository.SupervisorExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (launcher.Length > 0)
        {
            foreach (var argument in launcher.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(Repository.SupervisorExecutable);
        }

        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        start.ArgumentList.Add("--log-format");
        start.ArgumentList.Add(logFormat);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new SupervisorProcess(Process.Start(start)!);
    }

    /// <summary>Starts the supervisor and waits until it serves both APIs.</summary>
    public static Task<SupervisorProcess> StartAsync(string configPath, IReadOnlyDictionary<string, string>? environment = null, params string[] launcher) =>
        StartAsync(configPath, "text", environment, launcher);

    /// <summary>Starts the supervisor with its log in <paramref name="logFormat"/> and waits until it serves both APIs.</summary>
    public static async Task<SupervisorProcess> StartAsync(string configPath, string logFormat, IReadOnlyDictionary<string, string>? environment, string[] launcher)
    {
        var supervisor = Launch(configPath, logFormat, environment, launcher);
        var ready = await supervisor.WaitForLineAsync(l => l.Contains("Supervisor ready:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var match = ReadyLine().Match(ready);
        supervisor.EventsAddress = match.Groups["events"].Value;
        supervisor.AdminAddress = match.Groups["admin"].Value;
        supervisor.MonitoringAddress = match.Groups["monitoring"].Value;
        return supervisor;
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        string? found = null;
        await Wait.UntilAsync(
            () =>
            {
                found = _output.FirstOrDefault(predicate);
                if (found is null && _process.HasExited)
                {
                    Assert.Fail($"supervisor exited ({_process.ExitCode}) before the expected line; output:{Environment.NewLine}{Output}");
                }

                return found is not null;
            },
            "a supervisor log line",
            timeout);
        return found!;
    }

    /// <summary>
    /// A channel to the admin API with the token the supervisor generated beside its socket (every admin call needs one).
    /// </summary>
    public GrpcChannel AdminChannel() => SupervisorChannel.Create(AdminAddress, AdminTokenFile.TryRead(AdminAddress));

    public void Signal(int signal) => Posix.Signal(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"supervisor did not exit within {timeout.TotalSeconds:0} s; output:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Pids of the plugin processes the supervisor reported starting.</summary>
    public IReadOnlyList<int> PluginPids() =>
        [.. _output.Select(l => PidInLog().Match(l)).Where(m => m.Success && m.Groups["what"].Value.StartsWith("Started", StringComparison.Ordinal)).Select(m => int.Parse(m.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct()];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(Posix.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"events API on (?<events>[^\s"",]+), admin API on (?<admin>[^\s"",]+) .*probes and metrics on (?<monitoring>[^\s"",]+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"pid=(?<pid>\d+) (?<what>.*)$")]
    private static partial Regex PidInLog();
}
