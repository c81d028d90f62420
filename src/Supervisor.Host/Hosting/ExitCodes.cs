namespace Supervisor.Host.Hosting;

/// <summary>What the <c>supervisor</c> process's exit code means.</summary>
internal static class ExitCodes
{
    /// <summary>Ran and shut down cleanly.</summary>
    public const int Success = 0;

    /// <summary>Could not start: a listener could not bind, or an unexpected fault.</summary>
    public const int Failure = 1;

    /// <summary>The configuration is invalid (the message names each key and file at fault).</summary>
    public const int ConfigurationError = 2;
}
