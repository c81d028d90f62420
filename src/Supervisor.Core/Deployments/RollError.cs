namespace Supervisor;

/// <summary>Why a roll or rollback was refused or did not complete.</summary>
public enum RollError
{
    /// <summary>The version is not on disk (no <c>plugin.json</c> where it was looked for).</summary>
    VersionNotFound,

    /// <summary>The version's <c>plugin.json</c> exists but cannot be used.</summary>
    InvalidVersion,

    /// <summary>Another roll of the same plugin is running.</summary>
    AlreadyRolling,

    /// <summary>An instance of the new version did not become ready; the old version keeps serving.</summary>
    StartFailed,

    /// <summary>There is no previous version to roll back to.</summary>
    NoPreviousVersion,

    /// <summary>The roll was aborted (a failed canary analysis, or a rollback); the old version serves every call.</summary>
    Aborted,

    /// <summary>The supervisor is shutting down.</summary>
    ShuttingDown,
}
