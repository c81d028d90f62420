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
    AdminCommands.Watch(),
    DispatchCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
