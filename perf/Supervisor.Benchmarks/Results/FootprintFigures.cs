using System.Globalization;
using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Results;

/// <summary>
/// One figure for each build of the echo plugin: framework-dependent JIT, the template's publish (JIT, self-contained,
/// one ReadyToRun composite image) and Native AOT; <see cref="Composite"/> and <see cref="Aot"/> are null where that
/// build was not published.
/// </summary>
internal sealed record EchoBuildFigures(double Jit, double? Composite, double? Aot)
{
    public static EchoBuildFigures MedianOf(IReadOnlyList<PluginStartRound> rounds, Func<PluginStartRound, double> jit, Func<PluginStartRound, double?> composite, Func<PluginStartRound, double?> aot) =>
        new(Math.Round(Median.Of([.. rounds.Select(jit)]), 1), MedianOrNull(rounds, composite), MedianOrNull(rounds, aot));

    private static double? MedianOrNull(IReadOnlyList<PluginStartRound> rounds, Func<PluginStartRound, double?> figure)
    {
        double[] values = [.. rounds.Select(figure).OfType<double>()];
        return values.Length == 0 ? null : Math.Round(Median.Of(values), 1);
    }
}

/// <summary>
/// Bytes allocated in the embedding process per <c>DispatchAsync</c>: in all, the reply's payload (the bytes the
/// caller asked for, which any design must allocate), and the rest, which is what the dispatch path itself costs.
/// </summary>
internal sealed record AllocationFigures(double Total, int Payload, double BeyondPayload)
{
    public static AllocationFigures MedianOf(IReadOnlyList<double> totals, int payloadBytes)
    {
        var total = Math.Round(Median.Of(totals));
        return new AllocationFigures(total, payloadBytes, total - payloadBytes);
    }
}

/// <summary>
/// Many instances under one embedded supervisor: how many, of which plugin build, and what they cost. The CPU figures
/// are milliseconds per instance start until all were ready, on the supervisor's side (the embedding process), on
/// the plugins' (the plugin processes with their sandbox wrappers, short of the truth: see
/// <see cref="CpuContention.MachineSeconds"/>) and the whole machine's (the truth on a quiet machine, else an upper
/// bound); <see langword="null"/> where <c>/proc</c> is not readable.
/// </summary>
internal sealed record ScaleFigures(double ReadyS, double TotalRssMb, int Instances, string Plugin, double? SupervisorCpuMsPerStart, double? PluginCpuMsPerStart, double? MachineCpuMsPerStart)
{
    public static ScaleFigures MedianOf(IReadOnlyList<ScaleRound> rounds, int instances, string plugin)
    {
        var ready = new double[rounds.Count];
        var rss = new double[rounds.Count];
        var supervisorCpu = new List<double>(rounds.Count);
        var pluginCpu = new List<double>(rounds.Count);
        var machineCpu = new List<double>(rounds.Count);
        for (var i = 0; i < rounds.Count; i++)
        {
            ready[i] = rounds[i].ReadySeconds;
            rss[i] = rounds[i].TotalRssMb;
            if (rounds[i] is { SupervisorCpuSeconds: { } supervisor, PluginCpuSeconds: { } plugins })
            {
                supervisorCpu.Add(supervisor * 1000 / instances);
                pluginCpu.Add(plugins * 1000 / instances);
            }

            if (rounds[i].MachineCpuSeconds is { } machine)
            {
                machineCpu.Add(machine * 1000 / instances);
            }
        }

        return new ScaleFigures(
            Math.Round(Median.Of(ready), 2),
            Math.Round(Median.Of(rss)),
            instances,
            plugin,
            supervisorCpu.Count == 0 ? null : Math.Round(Median.Of(supervisorCpu), 1),
            pluginCpu.Count == 0 ? null : Math.Round(Median.Of(pluginCpu), 1),
            machineCpu.Count == 0 ? null : Math.Round(Median.Of(machineCpu), 1));
    }

    /// <summary>The figures as one line of the results table.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var cpu = SupervisorCpuMsPerStart is { } supervisor && PluginCpuMsPerStart is { } plugins
            ? string.Create(c, $"; CPU per start {supervisor:0.0} ms supervisor, {plugins:0.0} ms plugin and wrappers")
            : string.Empty;
        var machine = MachineCpuMsPerStart is { } all
            ? string.Create(c, $"; the whole machine's CPU {all:0.0} ms per start")
            : string.Empty;
        return string.Create(c, $"{Instances} x {Plugin}: ready in {ReadyS:0.00} s, {TotalRssMb:0} MiB in all{cpu}{machine}");
    }
}
