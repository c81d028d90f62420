namespace Supervisor.Processes;

/// <summary>How a plugin process ended. .NET reports a process killed by signal N as exit code 128 + N.</summary>
internal readonly record struct ProcessExit(int ExitCode)
{
    private const int SignalBase = 128;

    public int? Signal => ExitCode is > SignalBase and <= SignalBase + 64 ? ExitCode - SignalBase : null;

    public override string ToString() => Signal switch
    {
        9 => "signal 9 (SIGKILL)",
        15 => "signal 15 (SIGTERM)",
        6 => "signal 6 (SIGABRT)",
        11 => "signal 11 (SIGSEGV)",
        { } signal => $"signal {signal}",
        null => $"exit code {ExitCode}",
    };
}
