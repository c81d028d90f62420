namespace Supervisor.Instances;

/// <summary>Why an instance is taken out of service.</summary>
internal enum StopReason
{
    /// <summary>A handler ran past its deadline by more than HangGrace, or the liveness poll went unanswered.</summary>
    Hung,

    /// <summary>Resident memory over MemoryLimitMb.</summary>
    Memory,

    /// <summary>An operator asked for a graceful recycle (RestartPlugin).</summary>
    Restart,

    /// <summary>The plugin was quarantined.</summary>
    Quarantine,

    /// <summary>An operator killed it (KillInstance).</summary>
    Admin,

    /// <summary>The supervisor is shutting down.</summary>
    Shutdown,

    /// <summary>The plugin was scaled down (ScalePlugin, or a reload with fewer Instances) and its slot removed.</summary>
    Scale,
}
