namespace Supervisor.Supervision;

/// <summary>Judges whether a call's deadline has come.</summary>
internal static class Deadline
{
    // Timers run on the monotonic clock and can fire a few milliseconds before the wall clock agrees: a cancellation
    // this close to the deadline is the deadline, not a caller giving up.
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(15);

    public static bool Reached(DateTime deadline, TimeProvider time) => time.GetUtcNow().UtcDateTime + Tolerance >= deadline;
}
