namespace Supervisor.Supervision;

/// <summary>Why no instance could take a call.</summary>
internal enum Refusal
{
    /// <summary>Nothing can serve the call in time: quarantined, shutting down, or the next start is after its deadline.</summary>
    Unavailable,

    /// <summary>Too many calls already wait for an instance to become ready.</summary>
    Saturated,

    /// <summary>The deadline passed before an instance could take the call.</summary>
    DeadlineExceeded,
}

/// <summary>No instance could take a call; <see cref="Refusal"/> says why, the message says it in words.</summary>
internal sealed class CallRefusedException(Refusal refusal, string message) : Exception(message)
{
    public Refusal Refusal { get; } = refusal;
}
