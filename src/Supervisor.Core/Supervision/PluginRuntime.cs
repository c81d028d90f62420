using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Diagnostics;
using Supervisor.Instances;
using Supervisor.Processes;

namespace Supervisor.Supervision;

/// <summary>
/// One configured plugin: keeps <see cref="PluginOptions.Instances"/> processes running, one per slot, starting a
/// replacement after an exit, and publishes the ready ones to the router as an immutable array (read lock-free).
/// </summary>
internal sealed partial class PluginRuntime : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);
    private readonly PluginOptions _options;
    private readonly string _pluginsRoot;
    private RuntimeDirectory? _runtimeDirectory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly PluginInstance?[] _slots;
    private PluginInstance[] _ready = [];
    private Task[] _slotLoops = [];
    private uint _rotation;

    public PluginRuntime(string name, PluginOptions options, string pluginsRoot, ILogger logger, TimeProvider time)
    {
        Name = name;
        Version = options.Version;
        _options = options;
        _pluginsRoot = pluginsRoot;
        _logger = logger;
        _time = time;
        _slots = new PluginInstance?[options.Instances];
    }

    public string Name { get; }

    public string Version { get; }

    public PluginOptions Options => _options;

    public CallCounters Counters { get; } = new();

    public LatencyHistogram Latency { get; } = new();

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Starts every slot; completes once each has made its first start attempt (ready or failed).</summary>
    public async Task StartAsync(RuntimeDirectory runtimeDirectory, CancellationToken cancellationToken)
    {
        _runtimeDirectory = runtimeDirectory;
        var firstAttempts = new Task[_slots.Length];
        var loops = new Task[_slots.Length];
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            firstAttempts[slot] = firstAttempt.Task;
            var slotIndex = slot;
            loops[slot] = Task.Run(() => RunSlotAsync(slotIndex, firstAttempt), CancellationToken.None);
        }

        _slotLoops = loops;
        await Task.WhenAll(firstAttempts).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Picks the ready instance with the fewest calls in flight, rotating among equals.</summary>
    public PluginInstance? Select(PluginInstance? exclude)
    {
        var ready = Volatile.Read(ref _ready);
        var count = ready.Length;
        if (count == 0)
        {
            return null;
        }

        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)count);
        PluginInstance? best = null;
        for (var i = 0; i < count; i++)
        {
            var candidate = ready[(start + i) % count];
            if (candidate == exclude || !candidate.IsRoutable)
            {
                continue;
            }

            if (best is null || candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Stops routing to an instance that refused a connection; its exit is handled when it is observed.</summary>
    public void Unroute(PluginInstance instance)
    {
        instance.MarkUnreachable();
        lock (_gate)
        {
            PublishLocked();
        }
    }

    /// <summary>Sends SIGKILL to one instance, or to all when <paramref name="instanceId"/> is empty.</summary>
    /// <returns>The ids killed; empty when no instance has that id.</returns>
    public IReadOnlyList<string> Kill(string? instanceId, string reason)
    {
        var targets = new List<PluginInstance>();
        lock (_gate)
        {
            foreach (var instance in _slots)
            {
                if (instance is not null && instance.State != InstanceState.Exited
                    && (string.IsNullOrEmpty(instanceId) || instance.Id == instanceId))
                {
                    instance.MarkStopping();
                    targets.Add(instance);
                }
            }

            PublishLocked();
        }

        var killed = new List<string>(targets.Count);
        foreach (var instance in targets)
        {
            Counters.Kill();
            instance.Counters.Kill();
            using (_logger.BeginScope(instance.Process.LogScope))
            {
                LogKilled(_logger, reason);
            }

            instance.Process.Kill();
            killed.Add(instance.Id);
        }

        return killed;
    }

    /// <summary>
    /// Stops the plugin: no new calls or restarts, in-flight calls finish within <paramref name="grace"/>, then each
    /// process is asked to shut down and killed if it is still there.
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        PluginInstance[] instances;
        lock (_gate)
        {
            instances = [.. _slots.OfType<PluginInstance>()];
            foreach (var instance in instances)
            {
                instance.MarkStopping();
            }

            PublishLocked();
        }

        var deadline = _time.GetUtcNow() + grace;
        await Task.WhenAll(instances.Select(i => InstanceShutdown.RunAsync(i, deadline, _time, _logger, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(_slotLoops).WaitAsync(ExitWait, _time, cancellationToken).ConfigureAwait(false);
    }

    public Protocol.Admin.V1.PluginInfo Describe() => PluginDescription.Create(this, SnapshotInstances());

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal PluginInstance[] SnapshotInstances()
    {
        lock (_gate)
        {
            return [.. _slots.OfType<PluginInstance>()];
        }
    }

    private async Task RunSlotAsync(int slot, TaskCompletionSource firstAttempt)
    {
        try
        {
            await SuperviseSlotAsync(slot, firstAttempt).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug here must not leave StartAsync waiting forever or the slot silently empty.
            LogSlotFailed(_logger, ex, Name, slot);
        }
        finally
        {
            firstAttempt.TrySetResult();
        }
    }

    private async Task SuperviseSlotAsync(int slot, TaskCompletionSource firstAttempt)
    {
        var stopping = _stopping.Token;
        var restarts = 0;
        while (!stopping.IsCancellationRequested)
        {
            var instance = await StartInstanceAsync(slot, restarts, stopping).ConfigureAwait(false);
            firstAttempt.TrySetResult();
            if (instance is not null)
            {
                var exit = await instance.Process.Exited.ConfigureAwait(false);
                await OnExitedAsync(instance, exit).ConfigureAwait(false);
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            LogRestartScheduled(_logger, Name, slot, _options.RestartDelay.TotalMilliseconds);
            try
            {
                await Task.Delay(_options.RestartDelay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            restarts++;
        }
    }

    private async Task<PluginInstance?> StartInstanceAsync(int slot, int restarts, CancellationToken stopping)
    {
        var suffix = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var instanceId = $"{Name}-{suffix}";
        var manifestPath = Path.Combine(_pluginsRoot, Name, Version, PluginManifest.FileName);
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        PluginProcess process;
        try
        {
            var manifest = PluginManifest.Load(manifestPath);
            var launch = new PluginLaunch(Name, Version, instanceId, manifest, _runtimeDirectory!.SocketPath(suffix), token, _options.Settings);
            process = PluginProcess.Start(launch, _logger, _time);
        }
        catch (Exception ex) when (ex is PluginStartException or InvalidDataException)
        {
            LogStartFailed(_logger, Name, Version, instanceId, ex.Message);
            return null;
        }

        var instance = new PluginInstance(instanceId, Version, slot, restarts, process, _options);
        lock (_gate)
        {
            _slots[slot] = instance;
        }

        using var scope = _logger.BeginScope(process.LogScope);
        LogStarted(_logger, manifestPath);
        string reason;
        try
        {
            var startupDeadline = process.StartedAt + _options.StartupTimeout;
            var address = await process.Ready.WaitAsync(_options.StartupTimeout, _time, stopping).ConfigureAwait(false);
            instance.Connect(address, token);

            // Ready means "answers gRPC with our token", not just "printed a line"; this also opens the connection,
            // so the first event does not pay for it.
            var description = await instance.Client.DescribeAsync(
                new Protocol.Plugin.V1.DescribeRequest(),
                new CallOptions(deadline: startupDeadline.UtcDateTime, cancellationToken: stopping)).ConfigureAwait(false);
            instance.MarkReady();
            lock (_gate)
            {
                PublishLocked();
            }

            var startMs = (_time.GetUtcNow() - process.StartedAt).TotalMilliseconds;
            LogReady(_logger, startMs, address, description.Sdk, description.SdkVersion);
            return instance;
        }
        catch (TimeoutException)
        {
            reason = $"not ready within StartupTimeout ({_options.StartupTimeout.TotalMilliseconds:0} ms); stderr: {process.StderrTail}";
        }
        catch (PluginStartException ex)
        {
            reason = ex.Message;
        }
        catch (RpcException ex)
        {
            reason = ex.StatusCode == StatusCode.DeadlineExceeded
                ? $"printed its ready line but did not answer Describe within StartupTimeout ({_options.StartupTimeout.TotalMilliseconds:0} ms)"
                : $"printed its ready line but Describe failed: {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (OperationCanceledException)
        {
            reason = "the supervisor is stopping";
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the process must not be left running unsupervised.
            reason = $"unexpected {ex.GetType().Name} while starting: {ex.Message}";
        }

        LogNotReady(_logger, reason);
        process.Kill();
        await process.Exited.WaitAsync(ExitWait, _time, CancellationToken.None).ConfigureAwait(false);
        await OnExitedAsync(instance, await process.Exited.ConfigureAwait(false)).ConfigureAwait(false);
        return null;
    }

    private async Task OnExitedAsync(PluginInstance instance, ProcessExit exit)
    {
        var wasStopping = instance.State == InstanceState.Stopping || _stopping.IsCancellationRequested;
        instance.MarkExited();
        lock (_gate)
        {
            if (_slots[instance.Slot] == instance)
            {
                _slots[instance.Slot] = null;
            }

            PublishLocked();
        }

        using (_logger.BeginScope(instance.Process.LogScope))
        {
            var how = exit.ToString();
            if (wasStopping)
            {
                LogExited(_logger, how);
            }
            else
            {
                LogExitedUnexpectedly(_logger, how, instance.Process.StderrTail);
            }
        }

        await instance.DisposeAsync().ConfigureAwait(false);
    }

    private void PublishLocked()
    {
        var ready = new List<PluginInstance>(_slots.Length);
        foreach (var instance in _slots)
        {
            if (instance is { IsRoutable: true })
            {
                ready.Add(instance);
            }
        }

        Volatile.Write(ref _ready, [.. ready]);
    }
}
