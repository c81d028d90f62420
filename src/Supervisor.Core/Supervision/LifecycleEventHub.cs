using System.Threading.Channels;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Fans lifecycle events out to watchers. Each watcher has its own bounded buffer that drops its oldest events
/// when full: a slow watcher must never hold up supervision.
/// </summary>
internal sealed class LifecycleEventHub
{
    private const int BufferPerWatcher = 1024;
    private readonly Lock _gate = new();
    private readonly List<Watcher> _watchers = [];
    private readonly Action<LifecycleEvent> _observer;

    /// <param name="observer">Sees every event synchronously, before any watcher and whether or not one exists (metrics).</param>
    public LifecycleEventHub(Action<LifecycleEvent> observer)
    {
        _observer = observer;
    }

    public void Publish(LifecycleEvent lifecycleEvent)
    {
        _observer(lifecycleEvent);
        Watcher[] watchers;
        lock (_gate)
        {
            if (_watchers.Count == 0)
            {
                return;
            }

            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers)
        {
            if (watcher.Plugin.Length == 0 || string.Equals(watcher.Plugin, lifecycleEvent.Plugin, StringComparison.OrdinalIgnoreCase))
            {
                watcher.Channel.Writer.TryWrite(lifecycleEvent);
            }
        }
    }

    /// <summary>
    /// Subscribes now, so no event published after this call is missed, and streams the events for
    /// <paramref name="plugin"/> (empty: all) until cancelled. The subscription ends with the enumeration.
    /// </summary>
    public IAsyncEnumerable<LifecycleEvent> Watch(string plugin, CancellationToken cancellationToken)
    {
        var watcher = new Watcher(plugin, Channel.CreateBounded<LifecycleEvent>(new BoundedChannelOptions(BufferPerWatcher)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }));
        lock (_gate)
        {
            _watchers.Add(watcher);
        }

        return ReadAsync(watcher, cancellationToken);
    }

    private async IAsyncEnumerable<LifecycleEvent> ReadAsync(Watcher watcher, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var lifecycleEvent in watcher.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return lifecycleEvent;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <summary>Ends every watch (the supervisor has stopped).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Channel.Writer.TryComplete();
            }
        }
    }

    private sealed record Watcher(string Plugin, Channel<LifecycleEvent> Channel);
}
