using System.CommandLine;
using Google.Protobuf;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>list</c>, <c>get</c> and <c>kill</c>: the admin API from the shell.</summary>
internal static class AdminCommands
{
    public static Command List()
    {
        var command = new Command("list", "List plugins: version, state, ready instances, counters, latency.");
        command.SetAction((parse, ct) => CallAsync(
            parse,
            client => client.ListPluginsAsync(new ListPluginsRequest(), cancellationToken: ct).ResponseAsync,
            response => PluginTable.PrintPlugins(response.Plugins)));
        return command;
    }

    public static Command Get()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var command = new Command("get", "Show one plugin and its instances (pid, state, restarts, in-flight).") { plugin };
        command.SetAction((parse, ct) => CallAsync(
            parse,
            client => client.GetPluginAsync(new GetPluginRequest { Plugin = parse.GetValue(plugin) }, cancellationToken: ct).ResponseAsync,
            response => PluginTable.PrintInstances(response.Plugin)));
        return command;
    }

    public static Command Kill()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var instance = new Option<string?>("--instance", "-i") { Description = "The instance id to kill (see 'get'); every instance of the plugin when omitted." };
        var command = new Command("kill", "SIGKILL a plugin's instance(s) now; the supervisor starts replacements.") { plugin, instance };
        command.SetAction((parse, ct) => CallAsync(
            parse,
            client => client.KillInstanceAsync(new KillInstanceRequest { Plugin = parse.GetValue(plugin), InstanceId = parse.GetValue(instance) ?? string.Empty }, cancellationToken: ct).ResponseAsync,
            response =>
            {
                foreach (var id in response.KilledInstanceIds)
                {
                    Console.WriteLine($"killed {id}");
                }
            }));
        return command;
    }

    private static Task<int> CallAsync<TResponse>(ParseResult parse, Func<AdminService.AdminServiceClient, Task<TResponse>> call, Action<TResponse> print)
        where TResponse : IMessage =>
        CallRunner.RunAsync(parse.GetValue(GlobalOptions.Admin)!, parse.GetValue(GlobalOptions.Token), async channel =>
        {
            var response = await call(new AdminService.AdminServiceClient(channel)).ConfigureAwait(false);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CallRunner.PrintJson(response);
            }
            else
            {
                print(response);
            }

            return ExitCodes.Success;
        });
}
