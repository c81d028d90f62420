using System.CommandLine;
using Supervisor.Host.Hosting;

var configOption = new Option<FileInfo>("--config", "-c")
{
    Description = "The supervisor.json to run (SPEC: Configuration). Supervisor__… environment variables override it.",
    Required = true,
};

var logFormatOption = new Option<string>("--log-format")
{
    Description = "auto: readable lines on a terminal, one JSON object per line otherwise; json; text.",
    DefaultValueFactory = _ => "auto",
};
logFormatOption.AcceptOnlyFromAmong("auto", "json", "text");

var run = new Command("run", "Start every configured plugin and serve the events and admin APIs until SIGTERM or SIGINT.")
{
    configOption,
    logFormatOption,
};
run.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = SupervisorLogging.Create(Enum.Parse<LogFormat>(parse.GetRequiredValue(logFormatOption), ignoreCase: true));
    var host = new SupervisorHost(loggerFactory);
    return await host.RunAsync(parse.GetRequiredValue(configOption).FullName, cancellationToken).ConfigureAwait(false);
});

var root = new RootCommand("""
    Plugin Supervisor: runs each plugin as its own child process, routes events to it with deadlines, and kills
    and restarts plugins that hang or crash.

    Exit codes: 0 clean shutdown, 1 could not start (e.g. a listen address in use), 2 invalid configuration or usage.
    """)
{
    run,
};

// SupervisorHost handles SIGTERM and SIGINT itself and drains for up to ShutdownTimeout. System.CommandLine's own
// handling would end the process with exit code 143 two seconds after the signal, in the middle of that drain.
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // System.CommandLine exits 1 on a usage error; 1 here means "could not start".
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
    }

    var help = parse.CommandResult.Command == root ? "supervisor --help" : $"supervisor {parse.CommandResult.Command.Name} --help";
    await Console.Error.WriteLineAsync($"see: {help}").ConfigureAwait(false);
    return ExitCodes.ConfigurationError;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
