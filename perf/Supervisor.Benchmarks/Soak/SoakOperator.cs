using System.Diagnostics;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The operator's side of the soak, through the admin API: a random ready instance killed every few seconds, every
/// instance of both plugins killed every 3 s in the second phase, and echo rolled to its other version every minute.
/// </summary>
internal sealed class SoakOperator
{
    private const string KillInstanceOperation = "kill instance";
    private const string KillPluginOperation = "kill plugin";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Plugins = [SoakPlugins.Echo, SoakPlugins.Chaos];
    private readonly SoakSettings _settings;
    private readonly AdminService.AdminServiceClient _admin;
    private readonly SoakClock _clock;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly List<EchoRoll> _rolls = [];
    private long _instanceKills;
    private long _pluginKills;
    private long _instancesKilled;

    public SoakOperator(SoakSettings settings, AdminService.AdminServiceClient admin, SoakClock clock)
    {
        _settings = settings;
        _admin = admin;
        _clock = clock;
    }

    /// <summary>Starts the three schedules; each ends at <paramref name="stop"/>, a roll in progress included.</summary>
    public IReadOnlyList<Task> Start(CancellationToken stop) =>
    [
        Task.Run(() => KillInstancesAsync(stop), CancellationToken.None),
        Task.Run(() => KillPluginsAsync(stop), CancellationToken.None),
        Task.Run(() => RollEchoAsync(stop), CancellationToken.None),
    ];

    public AdminFigures Figures()
    {
        lock (_gate)
        {
            return new AdminFigures(_instanceKills, _pluginKills, _instancesKilled, new SortedDictionary<string, long>(_errors, StringComparer.Ordinal), [.. _rolls]);
        }
    }

    private async Task KillInstancesAsync(CancellationToken stop)
    {
        for (var n = 1; await WaitForAsync(n * _settings.InstanceKillInterval, stop).ConfigureAwait(false); n++)
        {
            var plugin = Plugins[Random.Shared.Next(Plugins.Length)];
            await AdminAsync(KillInstanceOperation, async () =>
            {
                var info = (await _admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }, deadline: Deadline()).ConfigureAwait(false)).Plugin;
                var ready = info.Instances.Where(i => i.State == InstanceState.Ready).ToList();
                if (ready.Count == 0)
                {
                    // Nothing to kill right now (all restarting); not an error of the admin API.
                    Count($"{KillInstanceOperation}: no ready instance of {plugin}");
                    return;
                }

                var target = ready[Random.Shared.Next(ready.Count)];
                var response = await _admin.KillInstanceAsync(new KillInstanceRequest { Plugin = plugin, InstanceId = target.Id }, deadline: Deadline()).ConfigureAwait(false);
                lock (_gate)
                {
                    _instanceKills++;
                    _instancesKilled += response.KilledInstanceIds.Count;
                }
            }).ConfigureAwait(false);
        }
    }

    private async Task KillPluginsAsync(CancellationToken stop)
    {
        for (var at = _settings.PluginKillPhaseStart; await WaitForAsync(at, stop).ConfigureAwait(false); at += _settings.PluginKillInterval)
        {
            foreach (var plugin in Plugins)
            {
                await AdminAsync(KillPluginOperation, async () =>
                {
                    // An empty instance id: every instance of the plugin.
                    var response = await _admin.KillInstanceAsync(new KillInstanceRequest { Plugin = plugin }, deadline: Deadline()).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _pluginKills++;
                        _instancesKilled += response.KilledInstanceIds.Count;
                    }
                }).ConfigureAwait(false);
            }
        }
    }

    private async Task RollEchoAsync(CancellationToken stop)
    {
        for (var at = _settings.RollInterval / 2; await WaitForAsync(at, stop).ConfigureAwait(false); at += _settings.RollInterval)
        {
            var startedAt = _clock.Elapsed;
            var started = Stopwatch.GetTimestamp();
            string from;
            try
            {
                from = (await _admin.GetPluginAsync(new GetPluginRequest { Plugin = SoakPlugins.Echo }, deadline: Deadline(), cancellationToken: CancellationToken.None).ConfigureAwait(false)).Plugin.ActiveVersion;
            }
            catch (RpcException ex)
            {
                Count($"roll: {SoakCallers.StatusName(ex.StatusCode)}");
                continue;
            }

            var to = SoakPlugins.OtherEchoVersion(from);
            string outcome;
            try
            {
                var request = new RollPluginRequest { Plugin = SoakPlugins.Echo, Version = to, Strategy = RollStrategy.Immediate, Wait = true };
                var response = await _admin.RollPluginAsync(request, deadline: DateTime.UtcNow + _settings.RollTimeout, cancellationToken: stop).ConfigureAwait(false);
                outcome = response.NoOp ? $"no-op: {response.Message}"
                    : response.Roll.Phase == RollPhase.Completed ? "completed"
                    : $"{response.Roll.Phase}: {response.Roll.Reason}";
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
            {
                outcome = "still running at the end of the run";
            }
            catch (RpcException ex)
            {
                outcome = $"{SoakCallers.StatusName(ex.StatusCode)}: {ex.Status.Detail}";
            }

            lock (_gate)
            {
                _rolls.Add(new EchoRoll(Math.Round(startedAt.TotalSeconds, 1), from, to, outcome, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 2)));
            }
        }
    }

    /// <returns>False when the run ends before <paramref name="offset"/>: the schedule is done.</returns>
    private async Task<bool> WaitForAsync(TimeSpan offset, CancellationToken stop)
    {
        if (offset >= _settings.Duration)
        {
            return false;
        }

        try
        {
            await _clock.DelayUntilAsync(offset, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task AdminAsync(string operation, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // The instance may have exited between GetPlugin and the kill; counted, not fatal.
            Count($"{operation}: {SoakCallers.StatusName(ex.StatusCode)}");
        }
    }

    private void Count(string key)
    {
        lock (_gate)
        {
            _errors[key] = _errors.GetValueOrDefault(key) + 1;
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;
}
