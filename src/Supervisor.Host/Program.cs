using System.CommandLine;
using Supervisor.Host.Hosting;

var configOption = new Option<FileInfo>("--config", "-c")
{
    Description = "The supervisor.json to run (SPEC: Configuration). Supervisor__… environment variables override it.",
    Required = true,
};

var logFormatOption = new Option<LogFormat>("--log-format")
{
    Description = "auto: readable lines on a terminal, one JSON object per line otherwise; json; text.",
    DefaultValueFactory = _ => LogFormat.Auto,
};

var run = new Command("run", "Start every configured plugin and serve the events and admin APIs until SIGTERM or SIGINT.")
{
    configOption,
    logFormatOption,
};
run.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = SupervisorLogging.Create(parse.GetValue(logFormatOption));
    var host = new SupervisorHost(loggerFactory);
    return await host.RunAsync(parse.GetRequiredValue(configOption).FullName, cancellationToken).ConfigureAwait(false);
});

var root = new RootCommand("""
    Plugin Supervisor: runs each plugin as its own child process, routes events to it with deadlines, and kills
    and restarts plugins that hang or crash.

    Exit codes: 0 clean shutdown, 1 could not start (e.g. a listen address in use), 2 invalid configuration.
    """)
{
    run,
};

// SupervisorHost handles SIGTERM and SIGINT itself and drains for up to ShutdownTimeout. System.CommandLine's own
// handling would end the process with exit code 143 two seconds after the signal, in the middle of that drain.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
