using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;

namespace Supervisor.Tests.Packaging;

/// <summary>The <c>dotnet</c> CLI as a child process: a failure fails the test with the command's output.</summary>
internal sealed class DotnetCli
{
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal)
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    };

    private readonly Action<string> _log;

    public DotnetCli(Action<string> log, IReadOnlyDictionary<string, string>? environment = null)
    {
        _log = log;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            _environment[name] = value;
        }
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>; returns its stdout.</summary>
    /// <param name="cancellationToken">Kills the command and its children (build nodes included).</param>
    public async Task<string> RunAsync(string workingDirectory, CancellationToken cancellationToken, params string[] arguments)
    {
        var command = $"dotnet {string.Join(' ', arguments)}";
        var stopwatch = Stopwatch.StartNew();
        var result = await CliWrap.Cli.Wrap("dotnet")
            .WithArguments(arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(_environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        _log($"{stopwatch.Elapsed.TotalSeconds,6:0.0} s  {command}");
        if (result.ExitCode != 0)
        {
            Assert.Fail($"{command} exited with {result.ExitCode} (in {workingDirectory}):{Environment.NewLine}{result.StandardOutput}{Environment.NewLine}{result.StandardError}");
        }

        return result.StandardOutput;
    }
}
