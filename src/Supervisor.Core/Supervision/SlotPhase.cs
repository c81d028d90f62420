namespace Supervisor.Supervision;

/// <summary>Where a slot is in its cycle; a call waiting for an instance judges its chances by it.</summary>
internal enum SlotPhase
{
    /// <summary>A process is starting (or about to).</summary>
    Starting,

    /// <summary>Its instance is ready, or has just exited or been asked to go and is about to be replaced.</summary>
    Running,

    /// <summary>Waiting out a restart delay.</summary>
    BackingOff,

    /// <summary>Waiting for an operator to lift the quarantine.</summary>
    Quarantined,

    /// <summary>The version is stopping: nothing starts again.</summary>
    Stopped,
}

/// <summary>A slot's phase; while backing off, when it restarts and whether the start before failed.</summary>
internal sealed record SlotState(SlotPhase Phase, DateTimeOffset RestartAt, bool LastStartFailed);
