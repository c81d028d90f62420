namespace Supervisor.Processes;

/// <summary>How a plugin process ended. .NET reports a process killed by signal N as exit code 128 + N.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="OomKills">How many of the instance's processes the kernel killed at its memory cap.</param>
internal readonly record struct ProcessExit(int ExitCode, long OomKills = 0)
{
    private const int SignalBase = 128;

    public int? Signal => ExitCode is > SignalBase and <= SignalBase + 64 ? ExitCode - SignalBase : null;

    public override string ToString() => OomKills > 0
        ? $"{Describe()}, after the kernel killed {OomKills} of its processes at MemoryLimitMb"
        : Describe();

    private string Describe() => Signal switch
    {
        9 => "signal 9 (SIGKILL)",
        15 => "signal 15 (SIGTERM)",
        6 => "signal 6 (SIGABRT)",
        11 => "signal 11 (SIGSEGV)",
        { } signal => $"signal {signal}",
        null => $"exit code {ExitCode}",
    };
}
