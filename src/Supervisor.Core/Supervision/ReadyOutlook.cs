namespace Supervisor.Supervision;

/// <summary>
/// When a version with no ready instance could next take a call: <see cref="EarliestReady"/> is the soonest a
/// starting or restarting instance may be ready (now, while one is starting), or <see langword="null"/> when none will
/// be without an operator (quarantined, shutting down). <see cref="Why"/> says which, for the caller's message.
/// </summary>
internal readonly record struct ReadyOutlook(DateTimeOffset? EarliestReady, string Why)
{
    public static ReadyOutlook Never(string why) => new(null, why);

    /// <summary>The sooner of two outlooks (a canary and its stable version).</summary>
    public static ReadyOutlook Sooner(ReadyOutlook a, ReadyOutlook b) =>
        a.EarliestReady is not { } x ? b
        : b.EarliestReady is not { } y ? a
        : x <= y ? a : b;
}
