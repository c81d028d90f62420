using Supervisor.Benchmarks.Scaling;

namespace Supervisor.Benchmarks;

/// <summary>How long each part of a run takes; <c>--quick</c> trades precision for a smoke run of about a minute and a half.</summary>
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
    int AllocationCalls,
    int HangRecoveryRounds,
    int PluginStartRounds,
    int SupervisorRssRounds,
    int ScaleRounds,
    int ScaleInstances,
    int RollRounds,
    TimeSpan RollSteadyWindow,
    IReadOnlyList<PayloadSize> PayloadSizes,
    int PayloadRounds,
    TimeSpan ScalingWindow,
    IReadOnlyList<int> InstanceCounts,
    int InstanceRounds)
{
    // Full: about 15 s a round on a 2-core VM; 14 rounds, and enough that the median shrugs off a neighbour's
    // burst. A hang recovery round takes a few seconds (a fresh supervisor, the 1 s HangGrace, a replacement), and
    // its spread is small, so 5 are enough. A plugin start round is two starts with a short settle each; a host
    // round a cold supervisor with three plugins; a scale round 100 plugin processes started at once. A payload round
    // is nine measurements (three sizes, three hops) and takes about 50 s, 1 MiB calls taking tens of milliseconds;
    // an instance round about 15 s. The whole run takes about 13 minutes.
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
        AllocationCalls: 5000,
        HangRecoveryRounds: 5,
        PluginStartRounds: 7,
        SupervisorRssRounds: 3,
        ScaleRounds: 3,
        ScaleInstances: 100,
        RollRounds: 3,
        RollSteadyWindow: TimeSpan.FromSeconds(3),
        PayloadSizes: [new(1024, 2000, 5000), new(64 * 1024, 500, 1000), new(1024 * 1024, 100, 100)],
        PayloadRounds: 5,
        ScalingWindow: TimeSpan.FromSeconds(3),
        InstanceCounts: [1, 2, 4],
        InstanceRounds: 5);

    // Scale: 10 instances rather than 100 (the key stays scale_100 and the report records the count). One payload
    // round without the 1 KiB size (the interleaved rounds have it), one instance round without 2 instances, with
    // short windows and few samples at the large sizes: together about 20 s.
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
        AllocationCalls: 1000,
        HangRecoveryRounds: 2,
        PluginStartRounds: 3,
        SupervisorRssRounds: 1,
        ScaleRounds: 1,
        ScaleInstances: 10,
        RollRounds: 1,
        RollSteadyWindow: TimeSpan.FromSeconds(1),
        PayloadSizes: [new(64 * 1024, 100, 200), new(1024 * 1024, 30, 30)],
        PayloadRounds: 1,
        ScalingWindow: TimeSpan.FromMilliseconds(500),
        InstanceCounts: [1, 4],
        InstanceRounds: 1);
}
