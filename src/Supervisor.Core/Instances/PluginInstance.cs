using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Grpc.Core;
using Grpc.Net.Client;
using Supervisor.Configuration;
using Supervisor.Processes;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Instances;

/// <summary>
/// One plugin process as the router sees it: its state, its channel, its bulkhead (at most
/// <see cref="PluginOptions.MaxConcurrency"/> calls at once, a bounded queue, then rejection) and its counters.
/// </summary>
internal sealed class PluginInstance : IAsyncDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private GrpcChannel? _channel;
    private PluginService.PluginServiceClient? _client;
    private int _state;
    private int _inFlight;
    private int _unreachable;
    private readonly TaskCompletionSource<StopReason> _recycle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _stopDetail = string.Empty;

    public PluginInstance(string id, string version, int slot, int restarts, PluginProcess process, PluginOptions options)
    {
        Id = id;
        Version = version;
        Slot = slot;
        Restarts = restarts;
        Process = process;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrency,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public string Id { get; }

    public string Version { get; }

    public int Slot { get; }

    public int Restarts { get; }

    public PluginProcess Process { get; }

    public CallCounters Counters { get; } = new();

    public ConnectionTracker Connections { get; } = new();

    /// <summary>Gets or sets the monitor watching this instance once it is ready.</summary>
    public Supervision.InstanceMonitor? Monitor { get; set; }

    /// <summary>Gets or sets the task that completes once the process has exited and been accounted for.</summary>
    public Task Ended { get; set; } = Task.CompletedTask;

    public InstanceState State => (InstanceState)Volatile.Read(ref _state);

    /// <summary>Completes when something asked for this instance to be replaced; the slot's loop acts on it.</summary>
    public Task<StopReason> RecycleRequested => _recycle.Task;

    /// <summary>Gets why the instance is being taken out of service, once it is.</summary>
    public StopReason? StopReason { get; private set; }

    /// <summary>Gets what happened, in words, when the instance was taken out of service.</summary>
    public string StopDetail => Volatile.Read(ref _stopDetail);

    /// <summary>Asks for a replacement; the first request wins.</summary>
    /// <returns>Whether this request was the first.</returns>
    public bool RequestRecycle(StopReason reason, string detail)
    {
        if (!_recycle.TrySetResult(reason))
        {
            return false;
        }

        Volatile.Write(ref _stopDetail, detail);
        return true;
    }

    /// <summary>Takes the instance out of routing for good.</summary>
    public void MarkStopping(StopReason reason)
    {
        StopReason ??= reason;
        Volatile.Write(ref _state, (int)InstanceState.Stopping);
    }

    /// <summary>Gets whether a connection attempt was refused: the process is dying, so no call is routed here.</summary>
    public bool IsUnreachable => Volatile.Read(ref _unreachable) == 1;

    /// <summary>Gets whether the router may send calls here.</summary>
    public bool IsRoutable => State == InstanceState.Ready && !IsUnreachable;

    /// <summary>Gets calls routed here and not yet answered, queued ones included.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsConnected => _client is not null;

    public PluginService.PluginServiceClient Client => _client ?? throw new InvalidOperationException($"instance {Id} is not connected");

    /// <summary>Opens the channel to the announced address; the instance is not routable until <see cref="MarkReady"/>.</summary>
    public void Connect(string address, string token)
    {
        _channel = PluginChannel.Create(address, token, Connections);
        _client = new PluginService.PluginServiceClient(_channel);
    }

    public void MarkReady() => Volatile.Write(ref _state, (int)InstanceState.Ready);

    public void MarkUnreachable() => Volatile.Write(ref _unreachable, 1);

    public void MarkExited() => Volatile.Write(ref _state, (int)InstanceState.Exited);

    /// <summary>Calls the plugin's handler through the bulkhead; the gRPC deadline ends the call at <paramref name="deadline"/>.</summary>
    /// <exception cref="BulkheadRejectedException">The instance is at its concurrency limit and its queue is full.</exception>
    /// <exception cref="OperationCanceledException">The deadline passed or the caller cancelled while the call was queued.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, DateTime deadline, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            // A free permit is the common case: no queue wait, so no timer beyond the gRPC deadline's own.
            var lease = _limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                lease = await WaitInQueueAsync(deadline, cancellationToken).ConfigureAwait(false);
            }

            using (lease)
            {
                return await Client.HandleEventAsync(request, new CallOptions(deadline: deadline, cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async ValueTask<RateLimitLease> WaitInQueueAsync(DateTime deadline, CancellationToken cancellationToken)
    {
        using var queueWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = deadline - DateTime.UtcNow;
        queueWait.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        var lease = await _limiter.AcquireAsync(1, queueWait.Token).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new BulkheadRejectedException();
        }

        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        if (Monitor is { } monitor)
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }

        _channel?.Dispose();
        await _limiter.DisposeAsync().ConfigureAwait(false);
    }
}
