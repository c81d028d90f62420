using Supervisor.Benchmarks.Results;

namespace Supervisor.Benchmarks.PublishModes;

/// <summary>Every round's raw figures of a publish-mode comparison, per build, kept per round for ratios within a round.</summary>
internal sealed class PublishModeLog
{
    public List<StartRound> Starts { get; } = [];

    public List<LoadRound> EventsApi { get; } = [];

    /// <summary>Gets each build's resident MiB after the load rounds, by mode.</summary>
    public Dictionary<string, double> RssAfterLoadMb { get; } = new(StringComparer.Ordinal);

    public List<double> OtherCpuPercent { get; } = [];

    internal sealed record StartRound(string Mode, HostStart.Round Figures);

    internal sealed record LoadRound(string Mode, int Round, HopRound Figures);
}
