using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    private readonly Bulkhead _bulkhead;
    private readonly int _maxPayloadBytes;
    private GrpcChannel? _channel;
    private PluginService.PluginServiceClient? _client;
    private int _state;
    private int _inFlight;
    private int _unreachable;
    private readonly TaskCompletionSource<StopReason> _recycle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _stopDetail = string.Empty;

    public PluginInstance(string id, string version, int slot, int restarts, PluginProcess process, PluginOptions options, TimeProvider time)
    {
        Id = id;
        Version = version;
        Slot = slot;
        Restarts = restarts;
        Process = process;
        _bulkhead = new Bulkhead(options.MaxConcurrency, options.QueueLimit, time);
        _maxPayloadBytes = options.MaxPayloadBytes;
    }

    public string Id { get; }

    public string Version { get; }

    public int Slot { get; }

    public int Restarts { get; }

    public PluginProcess Process { get; }

    public CallCounters Counters { get; } = new();

    public ConnectionTracker Connections { get; } = new();

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
        if (reason == Instances.StopReason.Hung)
        {
            // A hung process holds a thread it will never give back: no new call goes there, from this moment.
            MarkStopping(reason);
        }

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
        _channel = PluginChannel.Create(address, token, _maxPayloadBytes, Connections);
        _client = new PluginService.PluginServiceClient(_channel);
    }

    public void MarkReady() => Volatile.Write(ref _state, (int)InstanceState.Ready);

    public void MarkUnreachable() => Volatile.Write(ref _unreachable, 1);

    public void MarkExited() => Volatile.Write(ref _state, (int)InstanceState.Exited);

    /// <summary>Calls the plugin's handler through the bulkhead; the gRPC deadline ends the call at <paramref name="deadline"/>.</summary>
    /// <exception cref="BulkheadRejectedException">The instance is saturated and the call cannot wait for it.</exception>
    /// <exception cref="OperationCanceledException">The deadline passed or the caller cancelled while the call was queued.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, DateTime deadline, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            // A free permit is the common case: no queue, no timer beyond the gRPC deadline's own.
            if (!_bulkhead.TryEnter())
            {
                await _bulkhead.EnterAsync(deadline, cancellationToken).ConfigureAwait(false);
            }

            var entered = Stopwatch.GetTimestamp();
            try
            {
                return await Client.HandleEventAsync(request, new CallOptions(deadline: deadline, cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
            }
            finally
            {
                _bulkhead.Exit(Stopwatch.GetElapsedTime(entered));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        return ValueTask.CompletedTask;
    }
}
