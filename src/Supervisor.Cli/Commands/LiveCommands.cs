using System.CommandLine;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>reload</c> and <c>scale</c>: changes to a running supervisor that restart nothing.</summary>
internal static class LiveCommands
{
    public static Command Reload()
    {
        var command = new Command("reload", """
            Read the supervisor's configuration file and environment again and apply them without failing a call (as SIGHUP
            does). An invalid file, or one that changes a key that needs a restart (listen addresses, StateDirectory,
            PluginsRoot, the sandbox), changes nothing: the error names the key and the file.
            """);
        command.SetAction((parse, ct) => AdminCommands.CallAsync(
            parse,
            client => client.ReloadConfigAsync(new ReloadConfigRequest(), cancellationToken: ct).ResponseAsync,
            response =>
            {
                if (response.Changes.Count == 0)
                {
                    Console.WriteLine($"reloaded {response.Source}: nothing changed");
                    return;
                }

                Console.WriteLine($"reloaded {response.Source}:");
                foreach (var change in response.Changes)
                {
                    Console.WriteLine($"  {change}");
                }
            }));
        return command;
    }

    public static Command Scale()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var instances = new Argument<uint>("instances") { Description = "How many instances serve it (1-256)." };
        var command = new Command("scale", """
            Set how many instances serve a plugin: new ones start at once, retired ones finish their calls first. Kept across
            supervisor restarts until the configuration file's own Instances for the plugin changes.
            """) { plugin, instances };
        command.SetAction((parse, ct) => AdminCommands.CallAsync(
            parse,
            client => client.ScalePluginAsync(new ScalePluginRequest { Plugin = parse.GetValue(plugin), Instances = parse.GetValue(instances) }, cancellationToken: ct).ResponseAsync,
            response => Console.WriteLine(response.Message)));
        return command;
    }
}
