using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>list</c>, <c>get</c> and <c>kill</c>: the admin API from the shell.</summary>
internal static class AdminCommands
{
    public static Command List()
    {
        var available = new Option<bool>("--available", "-a")
        {
            Description = "List the version folders on disk instead, per plugin (configured or not): which is active, and whether each is complete (and why not).",
        };
        var plugin = new Argument<string?>("plugin") { Description = "With --available: only this plugin.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "List plugins: version, state, ready instances, counters, latency.") { available, plugin };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(available) && !string.IsNullOrEmpty(result.GetValue(plugin)))
            {
                result.AddError("a plugin name goes with --available; for one running plugin use 'supervisorctl get <plugin>'");
            }
        });
        command.SetAction((parse, ct) => parse.GetValue(available)
            ? CallAsync(
                parse,
                client => client.ListAvailableVersionsAsync(new ListAvailableVersionsRequest { Plugin = parse.GetValue(plugin) ?? string.Empty }, cancellationToken: ct).ResponseAsync,
                response => VersionTable.Print(response.Plugins))
            : CallAsync(
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
        var instance = new Option<string?>("--instance", "-i") { Description = "The instance id to kill (see 'get')." };
        var all = new Option<bool>("--all") { Description = "Kill every instance of the plugin." };
        var command = new Command("kill", "SIGKILL one instance (--instance) or every instance (--all) of a plugin now; the supervisor starts replacements.") { plugin, instance, all };

        // Killing every instance drops every call in flight: like kubectl's delete, it has to be asked for by name.
        command.Validators.Add(result =>
        {
            var hasInstance = !string.IsNullOrEmpty(result.GetValue(instance));
            var hasAll = result.GetValue(all);
            if (!hasInstance && !hasAll)
            {
                result.AddError("name the instance to kill with --instance <id> (see 'supervisorctl get <plugin>'), or pass --all to kill every instance");
            }
            else if (hasInstance && hasAll)
            {
                result.AddError("--instance and --all exclude each other: kill one instance, or all of them");
            }
        });
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

    public static Command Restart()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var command = new Command("restart", "Recycle every instance gracefully (new process first, then the old drains); lifts a quarantine.") { plugin };
        command.SetAction((parse, ct) => CallAsync(
            parse,
            client => client.RestartPluginAsync(new RestartPluginRequest { Plugin = parse.GetValue(plugin) }, cancellationToken: ct).ResponseAsync,
            response =>
            {
                if (response.QuarantineLifted)
                {
                    Console.WriteLine($"quarantine of {parse.GetValue(plugin)} lifted; starting it again");
                }

                foreach (var id in response.RecycledInstanceIds)
                {
                    Console.WriteLine($"recycling {id}");
                }
            }));
        return command;
    }

    public static Command Watch()
    {
        var plugin = new Argument<string?>("plugin") { Description = "Only this plugin's events; every plugin when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("watch", "Print lifecycle events as they happen (started, ready, exited, killed, restart scheduled, quarantined, …) until Ctrl+C.") { plugin };
        command.SetAction((parse, ct) => CallRunner.RunAsync(parse.GetValue(GlobalOptions.Admin)!, GlobalOptions.TokenFor(parse), async channel =>
        {
            using var call = new AdminService.AdminServiceClient(channel).WatchEvents(new WatchEventsRequest { Plugin = parse.GetValue(plugin) ?? string.Empty }, cancellationToken: ct);
            var json = parse.GetValue(GlobalOptions.Json);
            try
            {
                await foreach (var lifecycleEvent in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    if (json)
                    {
                        CallRunner.PrintJson(lifecycleEvent);
                    }
                    else
                    {
                        Console.WriteLine(LifecycleLine.Format(lifecycleEvent));
                    }
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                // Ctrl+C.
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    internal static Task<int> CallAsync<TResponse>(ParseResult parse, Func<AdminService.AdminServiceClient, Task<TResponse>> call, Action<TResponse> print)
        where TResponse : IMessage =>
        CallRunner.RunAsync(parse.GetValue(GlobalOptions.Admin)!, GlobalOptions.TokenFor(parse), async channel =>
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
