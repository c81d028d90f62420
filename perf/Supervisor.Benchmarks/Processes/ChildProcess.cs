using System.Diagnostics;

namespace Supervisor.Benchmarks.Processes;

/// <summary>
/// A process the benchmark starts and must not leave behind: its stdin stays open until it is stopped (plugins
/// exit at end of file), its output is drained so it never blocks on a full pipe, and the first output line
/// containing a marker signals readiness.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 20;
    private readonly Process _process;
    private readonly string _readyMarker;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _tail = new();

    private ChildProcess(Process process, string readyMarker)
    {
        _process = process;
        _readyMarker = readyMarker;
    }

    public int Id => _process.Id;

    /// <summary>Starts the process; <paramref name="environment"/> entries with a null value are removed.</summary>
    public static ChildProcess Start(string executable, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment, string readyMarker)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, readyMarker);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._ready.TrySetException(new InvalidOperationException(
            $"'{Path.GetFileName(executable)}' exited before it was ready; last output:{Environment.NewLine}{child.Tail()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the ready marker.</summary>
    /// <returns>The line that carried it.</returns>
    /// <exception cref="TimeoutException">The marker did not appear in time.</exception>
    public async Task<string> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _ready.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"pid {Id} printed no line containing '{_readyMarker}' within {timeout.TotalSeconds:0} s; last output:{Environment.NewLine}{Tail()}", ex);
        }
    }

    /// <summary>
    /// Asks the process to exit (SIGTERM when <paramref name="terminate"/>, and stdin closed either way), waits up
    /// to <paramref name="grace"/>, then kills it and anything it started.
    /// </summary>
    public async Task StopAsync(bool terminate, TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (terminate)
        {
            PosixSignal.Terminate(_process.Id);
        }

        CloseStdin();
        using var budget = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(terminate: true, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void CloseStdin()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process closed its end first.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            if (_tail.Count == TailLines)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
        }

        if (!_ready.Task.IsCompleted && line.Contains(_readyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }

    private string Tail()
    {
        lock (_tail)
        {
            return _tail.Count == 0 ? "  (none)" : "  " + string.Join(Environment.NewLine + "  ", _tail);
        }
    }
}
