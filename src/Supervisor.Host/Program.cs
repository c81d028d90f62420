using System.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Supervisor.Host.Hosting;

var configOption = new Option<FileInfo>("--config", "-c")
{
    Description = "The supervisor.json to run (SPEC: Configuration). Supervisor__… environment variables override it.",
    Required = true,
};

var run = new Command("run", "Start every configured plugin and serve the events and admin APIs until SIGTERM or SIGINT.")
{
    configOption,
};
run.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = LoggerFactory.Create(logging =>
    {
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // The host logs a failed start with its stack trace; SupervisorHost reports it in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddFilter("Grpc", LogLevel.Warning);
    });
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
