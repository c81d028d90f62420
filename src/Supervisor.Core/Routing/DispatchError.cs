namespace Supervisor;

/// <summary>Why a dispatch failed; each maps to one gRPC status code of the events API.</summary>
public enum DispatchError
{
    /// <summary>The request names no plugin or no event name (INVALID_ARGUMENT).</summary>
    InvalidArgument,

    /// <summary>No plugin by that name is configured (NOT_FOUND).</summary>
    NotFound,

    /// <summary>The deadline passed before the plugin answered (DEADLINE_EXCEEDED).</summary>
    DeadlineExceeded,

    /// <summary>No ready instance, or the supervisor is shutting down (UNAVAILABLE).</summary>
    Unavailable,

    /// <summary>
    /// The call was shed (RESOURCE_EXHAUSTED): the instance's bulkhead and queue are full, it could not finish by its
    /// deadline behind the calls queued ahead, too many calls wait for an instance to start, or the payload is over the
    /// plugin's limit.
    /// </summary>
    ResourceExhausted,

    /// <summary>The plugin's handler threw (UNKNOWN).</summary>
    HandlerFailed,

    /// <summary>The plugin process died or dropped the connection during the call (ABORTED).</summary>
    Aborted,

    /// <summary>The caller cancelled the call (CANCELLED).</summary>
    Cancelled,

    /// <summary>A fault inside the supervisor or the plugin shim (INTERNAL).</summary>
    Internal,
}
