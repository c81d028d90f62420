namespace Supervisor.Supervision;

/// <summary>How one call to an instance ended, as its pool counts it.</summary>
internal enum CallOutcome
{
    /// <summary>The plugin answered.</summary>
    Succeeded,

    /// <summary>The call failed and the caller was told so (handler error, abort, ...).</summary>
    Failed,

    /// <summary>The caller's deadline passed first: a timeout, and a reason to check the instance for a hang.</summary>
    TimedOut,

    /// <summary>The bulkhead turned the call away: counted as a failure, but the time is not the plugin's latency.</summary>
    Rejected,

    /// <summary>The caller gave up: not the plugin's failure.</summary>
    Cancelled,

    /// <summary>The call provably did not reach a handler and is tried on another instance: not counted.</summary>
    Retried,
}
