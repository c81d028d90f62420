using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Results;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// Many instances of one plugin under an embedded supervisor: how long <see cref="PluginSupervisor.StartAsync"/>
/// takes until every instance is ready, and how much memory the plugin processes hold together. Runs the Native
/// AOT echo, the build a plugin fleet would use, or the JIT echo where that is not published.
/// </summary>
internal sealed class ScaleScenario
{
    // Every instance starts at once on a 2-core VM: each waits its turn for a core, far past the 10 s default.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyBudget = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private readonly BenchmarkPaths _paths;
    private readonly TextWriter _progress;

    public ScaleScenario(BenchmarkPaths paths, TextWriter progress)
    {
        _paths = paths;
        _progress = progress;
    }

    /// <summary>Gets the plugin measured, and why when it is not the Native AOT build.</summary>
    public string Plugin => _paths.HasEchoAot
        ? $"{PluginStartScenario.AotPlugin} {EchoEvent.Version}"
        : $"{EchoEvent.Plugin} {EchoEvent.Version} (JIT: {PluginStartScenario.AotPlugin} is not published, Native AOT needs clang)";

    public async Task<IReadOnlyList<ScaleRound>> MeasureAsync(int rounds, int instances, CancellationToken cancellationToken)
    {
        await _progress.WriteLineAsync($"{ScenarioNames.Scale}: {instances} instances of {Plugin}").ConfigureAwait(false);
        var results = new List<ScaleRound>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var result = await MeasureRoundAsync(round, instances, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ScenarioNames.Scale} round {round}/{rounds}: {instances} ready in {result.ReadySeconds:0.00} s, {result.TotalRssMb:0} MiB in all")).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<ScaleRound> MeasureRoundAsync(int round, int instances, CancellationToken cancellationToken)
    {
        var plugin = _paths.HasEchoAot ? PluginStartScenario.AotPlugin : EchoEvent.Plugin;
        var options = EmbeddedOptions.Create(_paths, Path.Combine(_paths.TempDirectory, $"scale{round}"), plugin,
            new PluginOptions { Version = EchoEvent.Version, Instances = instances, StartupTimeout = StartupTimeout });
        var supervisor = new PluginSupervisor(options);
        await using (supervisor.ConfigureAwait(false))
        {
            var cpuBefore = CpuContention.Take();
            var ownCpuBefore = OwnCpuSeconds();
            var started = Stopwatch.GetTimestamp();
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);

            // StartAsync returns once every instance made its first attempt; one that failed is restarting, so the
            // figure is when all of them are ready.
            var ready = await WaitAllReadyAsync(supervisor, instances, cancellationToken).ConfigureAwait(false);
            var readySeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var ownCpu = OwnCpuSeconds() - ownCpuBefore;
            var cpuAfter = CpuContention.Take();
            var treeCpu = CpuContention.TreeSeconds(cpuBefore, cpuAfter);

            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            double totalRss = 0;
            foreach (var instance in ready.Instances)
            {
                if (instance.State == InstanceState.Ready)
                {
                    totalRss += ResidentMemory.MegabytesOfPlugin(instance.Pid);
                }
            }

            return new ScaleRound(readySeconds, totalRss, treeCpu is null ? null : ownCpu, treeCpu - ownCpu,
                CpuContention.MachineSeconds(cpuBefore, cpuAfter));
        }
    }

    private static double OwnCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static async Task<PluginInfo> WaitAllReadyAsync(PluginSupervisor supervisor, int instances, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(ReadyBudget.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var info = supervisor.ListPlugins().Single();
            if (info.Instances.Count(i => i.State == InstanceState.Ready) >= instances)
            {
                return info;
            }

            if (info.State == PluginState.Quarantined || Stopwatch.GetTimestamp() > until)
            {
                throw new TimeoutException($"{ScenarioNames.Scale}: {info.Instances.Count(i => i.State == InstanceState.Ready)} of {instances} instances ready ({info.State}) {ReadyBudget.TotalSeconds:0} s after the start; {info.QuarantineReason}");
            }

            await Task.Delay(ReadyPoll, cancellationToken).ConfigureAwait(false);
        }
    }
}
