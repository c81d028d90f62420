namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// One call as the caller saw it: the gRPC status it was answered with (<see cref="Answered"/> false when the soak
/// gave up waiting) and its message, the deadline it ran under and its wall time.
/// </summary>
internal readonly record struct CallOutcome(
    string Plugin,
    string EventName,
    SoakPhase Phase,
    TimeSpan StartedAt,
    TimeSpan Deadline,
    TimeSpan Wall,
    bool Answered,
    string Status,
    string? Detail = null)
{
    public const string Ok = "OK";

    /// <summary>Whether the call lacked a definite answer within its deadline plus <paramref name="margin"/>.</summary>
    public bool IsLate(TimeSpan margin) => !Answered || Wall > Deadline + margin;
}
