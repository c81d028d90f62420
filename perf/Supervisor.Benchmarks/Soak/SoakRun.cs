using System.Globalization;
using Grpc.Core;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The soak: the published supervisor host on echo and chaos, its events API called and its admin API used for
/// the whole duration, a reading of the host and its processes every minute, and a look for plugin processes left
/// once the host has stopped. Whatever happens, the host is stopped and any plugin process left is killed.
/// </summary>
internal sealed class SoakRun
{
    private static readonly TimeSpan RunningBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunningPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ZombieGrace = TimeSpan.FromSeconds(1);

    private readonly SoakSettings _settings;
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public SoakRun(SoakSettings settings, BenchmarkPaths paths, TextWriter progress)
    {
        _settings = settings;
        _paths = paths;
        _progress = progress;
    }

    public async Task<SoakReport> RunAsync(CancellationToken interrupt)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var directory = Path.Combine(_paths.TempDirectory, "soak");
        var census = new ProcessCensus(SupervisorHostProcess.RuntimeDirectoryIn(directory));
        var (host, _) = await SupervisorHostProcess.StartAsync(_paths, directory, SoakPlugins.Create(_settings), interrupt).ConfigureAwait(false);
        await _progress.WriteLineAsync($"soak: supervisor host pid {host.Id} ready; {_settings.Minutes} minute(s) of load").ConfigureAwait(false);
        LoadResult load;
        Leftovers leftovers;
        try
        {
            load = await LoadAsync(host.Id, SupervisorHostProcess.EventsSocketIn(directory), SupervisorHostProcess.AdminAddressIn(directory), census, interrupt).ConfigureAwait(false);
        }
        finally
        {
            await SupervisorHostProcess.StopAsync(host).ConfigureAwait(false);
            leftovers = await SweepAsync(census).ConfigureAwait(false);
        }

        return SoakReport.Create(_settings, startedAt, load.Tally, load.Operator.Figures(), load.Samples, leftovers.AtExit, leftovers.AfterGrace);
    }

    private async Task<LoadResult> LoadAsync(int hostPid, string eventsSocket, string adminAddress, ProcessCensus census, CancellationToken interrupt)
    {
        using var eventsChannel = ServerDeadlineChannel.Create(eventsSocket);
        using var adminChannel = SupervisorChannel.Create(adminAddress);
        var admin = new AdminService.AdminServiceClient(adminChannel);
        await WaitRunningAsync(admin, interrupt).ConfigureAwait(false);

        var clock = new SoakClock(_settings);
        var tally = new CallTally(_settings.LateMargin);
        var soakOperator = new SoakOperator(_settings, admin, clock);
        var samples = new List<MinuteSample>(_settings.Minutes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        var loops = new List<Task>(new SoakCallers(_settings, new EventService.EventServiceClient(eventsChannel), tally, clock).Start(stop.Token, interrupt));
        loops.AddRange(soakOperator.Start(stop.Token));
        try
        {
            var cpu = CpuContention.Take();
            var (calls, late) = (0L, 0L);
            for (var minute = 1; minute <= _settings.Minutes; minute++)
            {
                await clock.DelayUntilAsync(minute * _settings.SampleInterval, interrupt).ConfigureAwait(false);
                var sample = await SampleAsync(minute, clock, hostPid, census, admin, tally, cpu, calls, late).ConfigureAwait(false);
                (calls, late, cpu) = (calls + sample.Calls, late + sample.Late, CpuContention.Take());
                samples.Add(sample);
                await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"soak minute {minute}/{_settings.Minutes}: {sample.Calls} calls, {sample.Late} late or unanswered; host {sample.RssMb:0.0} MiB, {sample.Fds} fds, {sample.Threads} threads; {sample.PluginProcesses} plugin processes, {sample.Orphans.Count} orphans, {sample.ZombieChildren} zombies ({sample.LingeringZombies} still 1 s later); other CPU {sample.OtherCpuPct:0}%")).ConfigureAwait(false);
            }
        }
        finally
        {
            // Callers finish the call in hand (bounded by its deadline plus AbandonAfter) and start no other.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(loops).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
            {
                // Interrupted: the callers abandoned their calls; the interruption itself is what propagates.
            }
        }

        return new LoadResult(tally, soakOperator, samples);
    }

    private static async Task<MinuteSample> SampleAsync(int minute, SoakClock clock, int hostPid, ProcessCensus census, AdminService.AdminServiceClient admin, CallTally tally, CpuContention.Sample? cpuBefore, long callsBefore, long lateBefore)
    {
        HostFootprint footprint;
        try
        {
            footprint = HostFootprint.Of(hostPid);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"the supervisor host (pid {hostPid}) exited during minute {minute} of the soak", ex);
        }

        var reading = census.Take(hostPid);

        // A child killed a moment ago is a zombie until the host reaps it; one still unreaped a second later is a leak.
        var lingering = 0;
        if (reading.ZombieChildren.Count > 0)
        {
            await Task.Delay(ZombieGrace).ConfigureAwait(false);
            lingering = reading.ZombieChildren.Count(pid => ProcessCensus.IsZombieOf(pid, hostPid));
        }

        var (calls, late) = tally.Totals();
        var plugins = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var plugin in (string[])[SoakPlugins.Echo, SoakPlugins.Chaos])
        {
            plugins[plugin] = await DescribeAsync(admin, plugin).ConfigureAwait(false);
        }

        return new MinuteSample(
            minute,
            Math.Round(clock.Elapsed.TotalSeconds, 1),
            Math.Round(footprint.RssMb, 1),
            footprint.Fds,
            footprint.Threads,
            reading.ZombieChildren.Count,
            lingering,
            reading.Plugins.Count,
            reading.Orphans,
            plugins,
            calls - callsBefore,
            late - lateBefore,
            CpuContention.OtherPercent(cpuBefore, CpuContention.Take()) is { } other ? Math.Round(other, 1) : null);
    }

    /// <summary>"RUNNING 2/2 ready (READY, READY)": enough to tell a plugin that is down from one that is coming back.</summary>
    private static async Task<string> DescribeAsync(AdminService.AdminServiceClient admin, string plugin)
    {
        try
        {
            var info = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }, deadline: DateTime.UtcNow + AdminTimeout).ConfigureAwait(false)).Plugin;
            var ready = info.Instances.Count(i => i.State == InstanceState.Ready);
            var states = string.Join(", ", info.Instances.Select(i => $"{i.Version} {i.State}"));
            return string.Create(CultureInfo.InvariantCulture, $"{info.State} {ready}/{info.DesiredInstances} ready ({states})");
        }
        catch (RpcException ex)
        {
            return $"GetPlugin failed: {ex.Status.StatusCode}: {ex.Status.Detail}";
        }
    }

    /// <summary>Waits until every configured instance of both plugins is ready, so the first minute measures the soak, not the start.</summary>
    private static async Task WaitRunningAsync(AdminService.AdminServiceClient admin, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(RunningBudget);
        foreach (var plugin in (string[])[SoakPlugins.Echo, SoakPlugins.Chaos])
        {
            var state = PluginState.Unspecified;
            try
            {
                while ((state = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = plugin }, cancellationToken: budget.Token).ConfigureAwait(false)).Plugin.State) != PluginState.Running)
                {
                    await Task.Delay(RunningPoll, budget.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"soak: {plugin} was not running within {RunningBudget.TotalSeconds:0} s of the host's start (state {state})", ex);
            }
        }
    }

    /// <summary>Lists plugin processes alive once the host has exited, gives them a moment, then kills whatever is left.</summary>
    private async Task<Leftovers> SweepAsync(ProcessCensus census)
    {
        var atExit = census.Take(hostPid: 0);
        var remaining = atExit;
        var until = DateTime.UtcNow + _settings.LeftoverGrace;
        while (remaining.Plugins.Count > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(RunningPoll).ConfigureAwait(false);
            remaining = census.Take(hostPid: 0);
        }

        foreach (var pid in remaining.Plugins.Keys)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited in the meantime.
            }
        }

        return new Leftovers(atExit.Orphans, remaining.Orphans);
    }

    private sealed record LoadResult(CallTally Tally, SoakOperator Operator, IReadOnlyList<MinuteSample> Samples);

    private sealed record Leftovers(IReadOnlyList<string> AtExit, IReadOnlyList<string> AfterGrace);
}
