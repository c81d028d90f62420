using System.CommandLine;
using System.Globalization;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Cli.Commands;

/// <summary><c>diagnostics</c>: the latest stack dump of a hung instance, as the supervisor captured it before the kill.</summary>
internal static class DiagnosticsCommand
{
    public static Command Create()
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's configured name." };
        var instance = new Option<string?>("--instance", "-i") { Description = "Only this instance's dump; the plugin's latest when omitted." };
        var command = new Command("diagnostics", "Print the latest hang dump of a plugin: where its threads were when the supervisor killed a hung instance.") { plugin, instance };
        command.SetAction((parse, ct) => CallRunner.RunAsync(parse.GetValue(GlobalOptions.Admin)!, parse.GetValue(GlobalOptions.Token), async channel =>
        {
            var request = new GetHangDumpRequest { Plugin = parse.GetValue(plugin)!, InstanceId = parse.GetValue(instance) ?? string.Empty };
            var response = await new AdminService.AdminServiceClient(channel).GetHangDumpAsync(request, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CallRunner.PrintJson(response);
            }
            else
            {
                Print(response.Dump);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(HangDump dump)
    {
        Console.WriteLine($"plugin {dump.Plugin} {dump.Version}, instance {dump.InstanceId} (pid {dump.Pid})");
        Console.WriteLine($"captured {dump.CapturedAt.ToDateTime().ToString("u", CultureInfo.InvariantCulture)} by {dump.Method} in {dump.Took.ToTimeSpan().TotalMilliseconds:0} ms; kept in {dump.Path}");
        if (dump.Error.Length > 0)
        {
            Console.WriteLine($"incomplete: {dump.Error}");
        }

        Console.WriteLine();
        Console.Write(dump.Text);
    }
}
