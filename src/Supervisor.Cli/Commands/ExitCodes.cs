namespace Supervisor.Cli.Commands;

/// <summary>What supervisorctl's exit code means.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The supervisor answered with an error (the status code and message are printed).</summary>
    public const int CallFailed = 1;

    /// <summary>Bad usage, e.g. an unreadable --data file.</summary>
    public const int Usage = 2;

    /// <summary>The supervisor could not be reached.</summary>
    public const int Unreachable = 3;
}
