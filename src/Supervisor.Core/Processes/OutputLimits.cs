namespace Supervisor.Processes;

/// <summary>
/// How much of a plugin's output the supervisor takes (docs/protocol.md, "Ready"; docs/operations.md, "Logs"):
/// enough for any honest log, little enough that a plugin writing garbage cannot grow the supervisor's memory or
/// drown its log.
/// </summary>
internal static class OutputLimits
{
    /// <summary>The most bytes of one output line that are kept; the rest is dropped and the line says how much.</summary>
    public const int MaxLineBytes = 16 * 1024;

    /// <summary>The lines an instance may write at once (stdout and stderr together) before the rate applies.</summary>
    public const int LineBurst = 1000;

    /// <summary>The lines per second an instance may write in the long run; lines beyond it are counted and dropped.</summary>
    public const int LinesPerSecond = 500;

    /// <summary>How often the count of dropped lines is logged, while lines are being dropped.</summary>
    public static readonly TimeSpan DroppedReportInterval = TimeSpan.FromSeconds(1);

    /// <summary>The most characters of one stderr line that the stderr tail keeps.</summary>
    public const int TailLineChars = 512;

    /// <summary>The most characters of the stderr tail in a lifecycle event or an error message.</summary>
    public const int TailChars = 2048;
}
