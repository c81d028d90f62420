using System.Globalization;
using Supervisor.Benchmarks.Results;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// How fast a hung plugin stops costing anything: a chaos handler spins forever past its deadline, and the
/// embedded supervisor must kill its process HangGrace later and serve calls from a replacement. Not an
/// <see cref="IScenario"/>: it kills processes, so it runs alone, after the latency rounds.
/// </summary>
internal sealed class HangRecoveryScenario
{
    public const string Plugin = "chaos";
    public const string Version = "1.0.0";

    /// <summary>The default HangGrace, set explicitly so the report's figure cannot drift from what was run.</summary>
    public static readonly TimeSpan HangGrace = TimeSpan.FromSeconds(1);

    // Short, so a round wastes little time before the hang; the grace, not this, is what is measured.
    private static readonly TimeSpan HangDeadline = TimeSpan.FromMilliseconds(300);
    // A probe that lands on the hung process while it is still routed must not outlive the recovery it measures.
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromMilliseconds(200);
    // Fine enough for a figure in hundreds of milliseconds, without a hot loop competing with the restart for CPU.
    private static readonly TimeSpan ProbePause = TimeSpan.FromMilliseconds(5);
    // Far beyond HangGrace plus a cold plugin start on a busy 2-core VM: past it, recovery is broken, not slow.
    private static readonly TimeSpan RecoveryBudget = TimeSpan.FromSeconds(30);
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public HangRecoveryScenario(BenchmarkPaths paths, TextWriter progress)
    {
        _paths = paths;
        _progress = progress;
    }

    public async Task<IReadOnlyList<HangRecoveryRound>> MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        var results = new List<HangRecoveryRound>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var result = await MeasureRoundAsync(round, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ScenarioNames.HangRecovery} round {round}/{rounds}: killed {result.KilledMillis:0} ms, serving {result.ServingMillis:0} ms after the deadline")).ConfigureAwait(false);
        }

        return results;
    }

    // A fresh supervisor per round: every round starts from the same state, and a reused one would count each
    // hang towards MaxRestarts (5 in RestartWindow) and quarantine the plugin on the sixth.
    private async Task<HangRecoveryRound> MeasureRoundAsync(int round, CancellationToken cancellationToken)
    {
        var supervisor = new PluginSupervisor(Options(Path.Combine(_paths.TempDirectory, $"hang{round}")));
        await using (supervisor.ConfigureAwait(false))
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);

            // StartAsync also returns after a failed first start; a real call tells the two apart and names the
            // instance the hang lands on (the only one).
            var hungId = (await supervisor.DispatchAsync(Plugin, Probe(), cancellationToken: cancellationToken).ConfigureAwait(false)).InstanceId;

            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(RecoveryBudget);

            // Called, not Task.Run: it subscribes before its first await, so the Killed event cannot be missed.
            var killedAt = WaitForKillAsync(supervisor.WatchEventsAsync(Plugin, budget.Token), hungId);
            var deadline = DateTime.UtcNow + HangDeadline;
            try
            {
                await supervisor.DispatchAsync(Plugin, new Event { Name = "hang" }, deadline, cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"{ScenarioNames.HangRecovery}: the chaos 'hang' event got a reply; it must never finish");
            }
            catch (DispatchException ex) when (ex.Error == DispatchError.DeadlineExceeded)
            {
                // Expected: the caller is answered at the deadline; the handler keeps spinning.
            }

            try
            {
                var servingAt = await WaitForReplacementAsync(supervisor, hungId, budget.Token).ConfigureAwait(false);
                var killed = await killedAt.ConfigureAwait(false);
                return new HangRecoveryRound((killed - deadline).TotalMilliseconds, (servingAt - deadline).TotalMilliseconds);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{ScenarioNames.HangRecovery}: the hung instance {hungId} was not killed and replaced within {RecoveryBudget.TotalSeconds:0} s of its deadline", ex);
            }
        }
    }

    /// <summary>When the supervisor reported the hung instance killed, by its own clock (this process's).</summary>
    private static async Task<DateTime> WaitForKillAsync(IAsyncEnumerable<LifecycleEvent> events, string instanceId)
    {
        await foreach (var lifecycleEvent in events.ConfigureAwait(false))
        {
            if (lifecycleEvent.Type == LifecycleEventType.Killed && lifecycleEvent.InstanceId == instanceId)
            {
                // Any other reason (an admin kill, a shutdown) would time something else.
                return lifecycleEvent.Reason == "hung"
                    ? lifecycleEvent.Time.ToDateTime()
                    : throw new InvalidOperationException($"{ScenarioNames.HangRecovery}: {instanceId} was killed for '{lifecycleEvent.Reason}', not as hung: {lifecycleEvent.Message}");
            }
        }

        throw new InvalidOperationException($"{ScenarioNames.HangRecovery}: the lifecycle stream ended before {instanceId} was killed");
    }

    /// <summary>Probes until a call is answered by another instance than the hung one; returns when.</summary>
    private static async Task<DateTime> WaitForReplacementAsync(PluginSupervisor supervisor, string hungId, CancellationToken budget)
    {
        while (true)
        {
            budget.ThrowIfCancellationRequested();
            try
            {
                // Not cancelled by the budget: the probe's own deadline bounds it, and a cancelled probe would
                // surface as a DispatchException rather than as the timeout it is.
                var reply = await supervisor.DispatchAsync(Plugin, Probe(), DateTime.UtcNow + ProbeDeadline, CancellationToken.None).ConfigureAwait(false);
                if (reply.InstanceId != hungId)
                {
                    return DateTime.UtcNow;
                }

                // The hung process still serves other calls (handlers run concurrently) until it is judged hung.
            }
            catch (DispatchException ex) when (ex.Error == DispatchError.Unavailable)
            {
                // The hung instance is out of routing and its replacement is not ready yet.
            }
            catch (DispatchException ex) when (ex.Error == DispatchError.DeadlineExceeded)
            {
                // The probe landed on the hung process, whose spinning handler holds one of the two cores, and
                // missed its short deadline under load; recovery is still under way, so probe again.
            }

            await Task.Delay(ProbePause, budget).ConfigureAwait(false);
        }
    }

    // A new event per call: DispatchAsync fills in an empty id.
    private static Event Probe() => new() { Name = "echo" };

    private SupervisorOptions Options(string directory) =>
        EmbeddedOptions.Create(_paths, directory, Plugin, new PluginOptions { Version = Version, HangGrace = HangGrace });
}
