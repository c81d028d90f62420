using System.Collections.Concurrent;
using System.Diagnostics;

namespace Supervisor.Tests.TestAssets;

/// <summary>
/// Concurrent callers that dispatch in a loop until stopped, recording every call's outcome: the "steady load" a roll
/// must not disturb.
/// </summary>
internal sealed class SteadyLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<CallRecord> _calls = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _callers;

    private SteadyLoad(int callers, Func<CancellationToken, Task<string>> call)
    {
        _callers = [.. Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallLoopAsync(call)))];
    }

    /// <summary>Every call so far, in completion order.</summary>
    public IReadOnlyCollection<CallRecord> Calls => _calls;

    public IReadOnlyList<CallRecord> Failures => [.. _calls.Where(c => c.Error is not null)];

    /// <summary>Starts <paramref name="callers"/> loops of <paramref name="call"/>, which returns the replying version.</summary>
    public static SteadyLoad Start(int callers, Func<CancellationToken, Task<string>> call) => new(callers, call);

    public Task WaitForCallsAsync(int count, string what) =>
        Wait.UntilAsync(() => _calls.Count >= count, () => $"{count} calls {what} (made {_calls.Count}, {Failures.Count} failed)");

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers).DefaultTimeout();
    }

    /// <summary>A readable summary of the failed calls, for assertion messages.</summary>
    public string DescribeFailures() =>
        string.Join("\n", Failures.Take(5).Select(f => f.Error)) + (Failures.Count > 5 ? $"\n… and {Failures.Count - 5} more" : string.Empty);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task CallLoopAsync(Func<CancellationToken, Task<string>> call)
    {
        while (!_stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var version = await call(CancellationToken.None);
                _calls.Enqueue(new CallRecord(started, Stopwatch.GetTimestamp(), version, null));
            }
            catch (Exception ex)
            {
                _calls.Enqueue(new CallRecord(started, Stopwatch.GetTimestamp(), null, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }
    }
}

/// <summary>One call: when it started and ended (<see cref="Stopwatch"/> timestamps), the version that replied, or the error.</summary>
internal sealed record CallRecord(long Started, long Ended, string? Version, string? Error);
