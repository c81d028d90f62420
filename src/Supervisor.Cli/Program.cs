using System.CommandLine;
using Supervisor.Cli.Commands;

var root = new RootCommand("""
    supervisorctl: operate a Plugin Supervisor through its admin and events APIs.

    Exit codes: 0 success, 1 the supervisor answered with an error, 2 bad usage, 3 supervisor unreachable.
    """)
{
    GlobalOptions.Admin,
    GlobalOptions.Token,
    GlobalOptions.Json,
    AdminCommands.List(),
    AdminCommands.Get(),
    AdminCommands.Kill(),
    AdminCommands.Restart(),
    RollCommands.Roll(),
    RollCommands.Rollback(),
    LiveCommands.Scale(),
    LiveCommands.Reload(),
    AdminCommands.Watch(),
    DiagnosticsCommand.Create(),
    DispatchCommand.Create(),
};

// No response files: "--data @payload.json" names a payload file, whose text must reach the command unparsed.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    // System.CommandLine exits 1 on a parse error; 1 here means "the supervisor answered with an error".
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
    }

    var help = parse.CommandResult.Command == root ? "supervisorctl --help" : $"supervisorctl {parse.CommandResult.Command.Name} --help";
    await Console.Error.WriteLineAsync($"see: {help}").ConfigureAwait(false);
    return ExitCodes.Usage;
}

return await parse.InvokeAsync().ConfigureAwait(false);
