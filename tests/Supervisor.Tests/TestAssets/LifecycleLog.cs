using System.Collections.Concurrent;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Tests.TestAssets;

/// <summary>Collects a supervisor's lifecycle events (WatchEvents) in the background, for assertions.</summary>
internal sealed class LifecycleLog : IAsyncDisposable
{
    private readonly ConcurrentQueue<LifecycleEvent> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public LifecycleLog(IAsyncEnumerable<LifecycleEvent> events)
    {
        _reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var lifecycleEvent in events.WithCancellation(_stop.Token))
                {
                    _events.Enqueue(lifecycleEvent);
                }
            }
            catch (OperationCanceledException)
            {
                // Done.
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
                // Done: a gRPC WatchEvents stream ends this way, and must not hide the test's own failure.
            }
        });
    }

    public IReadOnlyList<LifecycleEvent> All => [.. _events];

    public async Task<LifecycleEvent> WaitForAsync(Func<LifecycleEvent, bool> predicate, string what, TimeSpan? timeout = null)
    {
        LifecycleEvent? found = null;
        await Wait.UntilAsync(() => (found = _events.FirstOrDefault(predicate)) is not null, () => $"{what}; events so far:{Environment.NewLine}{Describe()}", timeout);
        return found!;
    }

    public string Describe() => string.Join(Environment.NewLine, _events.Select(e => $"  {e.Time.ToDateTime():HH:mm:ss.fff} {e.Type} {e.InstanceId} pid={e.Pid} reason={e.Reason} {e.Message}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}
