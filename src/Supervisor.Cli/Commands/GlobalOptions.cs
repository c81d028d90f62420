using System.CommandLine;
using Supervisor.Protocol;

namespace Supervisor.Cli.Commands;

/// <summary>Options every command takes: where the supervisor is and how to authenticate.</summary>
internal static class GlobalOptions
{
    public const string DefaultAdminAddress = "unix:///tmp/plugin-supervisor/admin.sock";
    public const string DefaultEventsAddress = "http://127.0.0.1:7070";

    public static readonly Option<string> Admin = new("--admin")
    {
        Description = "Admin API address (unix:///path.sock or http://host:port). Env: SUPERVISOR_ADMIN_ADDRESS.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SUPERVISOR_ADMIN_ADDRESS") ?? DefaultAdminAddress,
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Admin token (Admin:Token). Env: SUPERVISOR_ADMIN_TOKEN. Default for a unix:// admin address: the token the supervisor generated beside the socket (<socket>.token).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SUPERVISOR_ADMIN_TOKEN"),
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the response as JSON (for scripts).",
        Recursive = true,
    };

    /// <summary>The token to send: <c>--token</c> or its variable, else the one the supervisor generated beside its admin socket.</summary>
    public static string? TokenFor(ParseResult parse) => parse.GetValue(Token) ?? AdminTokenFile.TryRead(parse.GetValue(Admin)!);
}
