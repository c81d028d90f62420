namespace Supervisor.Benchmarks.Soak;

/// <summary>One plugin's calls: how many, per gRPC status, how many were late or never answered, and the worst lateness.</summary>
/// <param name="FirstMessages">Per error status, the message of its first call, as an example of what callers read.</param>
/// <param name="WorstPastDeadlineMs">The largest wall time minus deadline; negative when every call was answered before its deadline.</param>
internal sealed record PluginCallFigures(long Calls, IReadOnlyDictionary<string, long> Statuses, IReadOnlyDictionary<string, string> FirstMessages, long Late, long Unanswered, double WorstPastDeadlineMs);

/// <summary>A call without a definite answer within its deadline plus the margin, kept as an example.</summary>
/// <param name="AtS">Seconds into the load when it started.</param>
internal sealed record LateCall(double AtS, string Plugin, string Event, string Status, double DeadlineMs, double WallMs);

/// <summary>Echo's success among the calls started in one phase.</summary>
internal sealed record PhaseFigures(string Phase, double FromS, double ToS, long EchoCalls, long EchoOk, double? EchoOkPct);

/// <summary>
/// One per-minute reading of the supervisor host and the plugin processes, with the calls of that minute.
/// </summary>
/// <param name="ZombieChildren">Children of the host in state Z: exited, not reaped (yet).</param>
/// <param name="LingeringZombies">Those of them still unreaped a second later.</param>
/// <param name="PluginProcesses">Live plugin processes of this soak (found by their handshake environment).</param>
/// <param name="Orphans">Live plugin processes that are not descendants of the host, as "pid (parent ppid)".</param>
/// <param name="Plugins">Per plugin, as the admin API reports it: state, ready of desired instances, and each instance's state.</param>
/// <param name="OtherCpuPct">CPU used outside the benchmark's process tree during the minute; high means noisy figures.</param>
internal sealed record MinuteSample(
    int Minute,
    double AtS,
    double RssMb,
    int Fds,
    int Threads,
    int ZombieChildren,
    int LingeringZombies,
    int PluginProcesses,
    IReadOnlyList<string> Orphans,
    IReadOnlyDictionary<string, string> Plugins,
    long Calls,
    long Late,
    double? OtherCpuPct);

/// <summary>What the admin API was asked to do, and what came of it.</summary>
/// <param name="Errors">Admin actions that failed or found nothing to act on, per "operation: status or reason".</param>
internal sealed record AdminFigures(
    long InstanceKills,
    long PluginKills,
    long InstancesKilled,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyList<EchoRoll> Rolls);

/// <summary>One roll of echo: where from and to, how it ended and how long it took.</summary>
internal sealed record EchoRoll(double AtS, string From, string To, string Outcome, double Seconds);

/// <summary>A target of the soak and whether this run met it; <see cref="Met"/> is null when the run was too short to judge.</summary>
internal sealed record TargetVerdict(string Target, string Actual, bool? Met, string? Note);
