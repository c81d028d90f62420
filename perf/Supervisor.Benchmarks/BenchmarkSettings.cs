namespace Supervisor.Benchmarks;

/// <summary>How long each part of a run takes; <c>--quick</c> trades precision for a smoke run under a minute.</summary>
internal sealed record BenchmarkSettings(
    bool Quick,
    int Rounds,
    TimeSpan InitialWarmup,
    TimeSpan RoundWarmup,
    int LatencySamples,
    int Callers,
    TimeSpan ThroughputRamp,
    TimeSpan ThroughputWindow,
    int DirectCalls,
    int HangRecoveryRounds)
{
    // Full: about 13 s a round on a 2-core VM; 14 rounds keep the whole run near 3.5 minutes, and enough
    // rounds that the median shrugs off a neighbour's burst. A hang recovery round takes a few seconds (a fresh
    // supervisor, the 1 s HangGrace, a replacement), and its spread is small, so 5 are enough.
    public static BenchmarkSettings Full { get; } = new(
        Quick: false,
        Rounds: 14,
        InitialWarmup: TimeSpan.FromSeconds(5),
        RoundWarmup: TimeSpan.FromMilliseconds(300),
        LatencySamples: 2000,
        Callers: 16,
        ThroughputRamp: TimeSpan.FromMilliseconds(300),
        ThroughputWindow: TimeSpan.FromSeconds(3),
        DirectCalls: 2_000_000,
        HangRecoveryRounds: 5);

    public static BenchmarkSettings QuickRun { get; } = new(
        Quick: true,
        Rounds: 3,
        InitialWarmup: TimeSpan.FromSeconds(3),
        RoundWarmup: TimeSpan.FromMilliseconds(100),
        LatencySamples: 500,
        Callers: 16,
        ThroughputRamp: TimeSpan.FromMilliseconds(150),
        ThroughputWindow: TimeSpan.FromSeconds(1),
        DirectCalls: 500_000,
        HangRecoveryRounds: 2);
}
