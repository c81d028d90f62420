using System.Collections.Concurrent;
using Supervisor.Diagnostics;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// What a dashboard opened now needs from before it was opened: each plugin's calls per second and p99 over the last
/// minutes (sampled every <see cref="Interval"/>), and the latest lifecycle events.
/// </summary>
internal sealed class DashboardHistory(PluginSupervisor supervisor, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private const int MaxPoints = 150;
    private const int RecentEvents = 100;
    private readonly ConcurrentDictionary<string, Trend> _trends = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private readonly Queue<LifecycleEvent> _events = new();

    /// <summary>Every plugin's points, oldest first.</summary>
    public IReadOnlyDictionary<string, TrendPoint[]> Trends() => _trends.ToDictionary(t => t.Key, t => t.Value.Points());

    /// <summary>The latest lifecycle events, oldest first.</summary>
    public LifecycleEvent[] Events()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(SampleAsync(stoppingToken), KeepEventsAsync(stoppingToken));

    private async Task SampleAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var previous = new Dictionary<string, (DateTimeOffset At, long Calls, LatencySnapshot Latency)>(StringComparer.OrdinalIgnoreCase);
        try
        {
            do
            {
                var now = time.GetUtcNow();
                foreach (var (plugin, calls, latency) in supervisor.SampleTotals())
                {
                    if (previous.TryGetValue(plugin, out var last))
                    {
                        var seconds = Math.Max((now - last.At).TotalSeconds, 0.001);
                        var p99 = latency.Since(last.Latency).Percentile(0.99).TotalMilliseconds;
                        _trends.GetOrAdd(plugin, _ => new Trend()).Add(new TrendPoint(now, (calls - last.Calls) / seconds, p99));
                    }

                    previous[plugin] = (now, calls, latency);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The listener stops.
        }
    }

    private async Task KeepEventsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var lifecycleEvent in supervisor.WatchEventsAsync(cancellationToken: stoppingToken).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    _events.Enqueue(lifecycleEvent.Clone());
                    if (_events.Count > RecentEvents)
                    {
                        _events.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The listener stops.
        }
    }

    private sealed class Trend
    {
        private readonly Queue<TrendPoint> _points = new();

        public void Add(TrendPoint point)
        {
            lock (_points)
            {
                _points.Enqueue(point);
                if (_points.Count > MaxPoints)
                {
                    _points.Dequeue();
                }
            }
        }

        public TrendPoint[] Points()
        {
            lock (_points)
            {
                return [.. _points];
            }
        }
    }
}
