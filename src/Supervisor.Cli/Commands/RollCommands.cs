using System.CommandLine;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>roll</c> and <c>rollback</c>: move a plugin between versions, optionally following the roll to its end.</summary>
internal static class RollCommands
{
    public static Command Roll()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var version = new Argument<string>("version") { Description = "A version folder under PluginsRoot/<plugin>/ holding plugin.json." };
        var strategy = new Option<string>("--strategy", "-s")
        {
            Description = "immediate: every call moves once the new instances are ready; canary: calls move in the plugin's Canary:Steps, each analysed.",
            DefaultValueFactory = _ => "immediate",
        };
        strategy.AcceptOnlyFromAmong("immediate", "canary");
        var wait = WaitOption();
        var command = new Command("roll", "Roll a plugin to another version without stopping traffic; the old version drains after.") { plugin, version, strategy, wait };
        command.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(plugin)!, parse.GetValue(wait), (client, token) =>
            client.RollPluginAsync(
                new RollPluginRequest
                {
                    Plugin = parse.GetValue(plugin),
                    Version = parse.GetValue(version),
                    Strategy = parse.GetValue(strategy) == "canary" ? RollStrategy.Canary : RollStrategy.Immediate,
                    Wait = parse.GetValue(wait),
                },
                cancellationToken: token).ResponseAsync, ct));
        return command;
    }

    public static Command Rollback()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var wait = WaitOption();
        var command = new Command("rollback", "Return a plugin to its previous version: aborts a roll in progress, or rolls back a finished one.") { plugin, wait };
        command.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(plugin)!, parse.GetValue(wait), (client, token) =>
            client.RollbackPluginAsync(new RollbackPluginRequest { Plugin = parse.GetValue(plugin), Wait = parse.GetValue(wait) }, cancellationToken: token).ResponseAsync, ct));
        return command;
    }

    private static Option<bool> WaitOption() => new("--wait", "-w")
    {
        Description = "Print the roll's progress and return when it has completed (exit 1 when it aborts); without it, return once calls start to move.",
    };

    private static Task<int> RunAsync(ParseResult parse, string plugin, bool wait, Func<AdminService.AdminServiceClient, CancellationToken, Task<RollPluginResponse>> call, CancellationToken ct) =>
        CallRunner.RunAsync(parse.GetValue(GlobalOptions.Admin)!, GlobalOptions.TokenFor(parse), async channel =>
        {
            var client = new AdminService.AdminServiceClient(channel);
            var json = parse.GetValue(GlobalOptions.Json);
            using var progress = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var watch = wait && !json ? client.WatchEvents(new WatchEventsRequest { Plugin = plugin }, cancellationToken: progress.Token) : null;
            var printing = Task.CompletedTask;
            if (watch is not null)
            {
                // The headers arrive once the subscription exists: from here no roll event can be missed.
                await watch.ResponseHeadersAsync.ConfigureAwait(false);
                printing = PrintProgressAsync(watch, progress.Token);
            }

            RollPluginResponse response;
            try
            {
                response = await call(client, ct).ConfigureAwait(false);
            }
            finally
            {
                await progress.CancelAsync().ConfigureAwait(false);
                await printing.ConfigureAwait(false);
            }

            if (json)
            {
                CallRunner.PrintJson(response);
            }
            else
            {
                Console.WriteLine(response.Message);
            }

            return ExitCodes.Success;
        });

    private static async Task PrintProgressAsync(AsyncServerStreamingCall<LifecycleEvent> watch, CancellationToken ct)
    {
        try
        {
            await foreach (var lifecycleEvent in watch.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (lifecycleEvent.Roll is not null)
                {
                    Console.WriteLine(LifecycleLine.Format(lifecycleEvent));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
        {
            // The roll call returned.
        }
    }
}
