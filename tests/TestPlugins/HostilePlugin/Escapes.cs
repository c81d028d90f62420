using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Plugin.V1;

/// <summary>Every escape, each reported whether it worked or not and why.</summary>
internal static partial class Escapes
{
    private const int SigKill = 9;

    public static List<Attempt> TryAll(Targets targets, CancellationToken cancellationToken)
    {
        var attempts = new List<Attempt>();
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal) { ["no token"] = string.Empty };
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => ((string)e.Key, (string?)e.Value ?? string.Empty)))
        {
            if (name.StartsWith("SUPERVISOR_ADMIN", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Supervisor__", StringComparison.OrdinalIgnoreCase))
            {
                attempts.Add(new Attempt($"find {name} in the environment", true, "the supervisor's own variable reached the plugin"));
                tokens[$"environment {name}"] = value;
            }
        }

        attempts.Add(Read("read the configuration file", targets.ConfigFile, text =>
        {
            foreach (Match match in TokenInJson().Matches(text))
            {
                tokens["configuration file"] = match.Groups[1].Value;
            }
        }));
        if (targets.AdminTokenFile is { } tokenFile)
        {
            attempts.Add(Read("read the admin token file", tokenFile, text => tokens["admin token file"] = text.Trim()));
        }

        foreach (var environ in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out var pid) && pid != Environment.ProcessId))
        {
            try
            {
                var variables = File.ReadAllText(Path.Combine(environ, "environ")).Split('\0');
                foreach (var variable in variables.Where(v => v.StartsWith("SUPERVISOR_PLUGIN_TOKEN=", StringComparison.Ordinal) || v.StartsWith("SUPERVISOR_ADMIN_TOKEN=", StringComparison.Ordinal)))
                {
                    tokens[$"{environ}/environ"] = variable[(variable.IndexOf('=') + 1)..];
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not readable: what the sandbox is for.
            }
        }

        attempts.Add(Read($"read the sibling's environment (pid {targets.SiblingPid})", $"/proc/{targets.SiblingPid}/environ", _ => { }));
        foreach (var (source, token) in tokens)
        {
            attempts.Add(CallAdmin($"call the admin API with {source}", targets.AdminSocket, token, cancellationToken));
        }

        attempts.Add(Signal(targets.SiblingPid, "the sibling"));
        attempts.Add(Signal(targets.SupervisorPid, "the supervisor"));
        foreach (var (source, token) in tokens)
        {
            attempts.Add(CallSibling($"call the sibling's socket with {source}", targets.SiblingSocket, token, cancellationToken));
        }

        attempts.Add(Connect("connect to the sibling's socket", targets.SiblingSocket));
        attempts.Add(Write("write into the state directory", Path.Combine(targets.StateDirectory, "hostile-was-here")));
        attempts.Add(Write("overwrite the plugin's own version folder", Path.Combine(AppContext.BaseDirectory, "hostile-was-here")));
        foreach (var socket in DiagnosticsSockets(targets.SupervisorPid))
        {
            attempts.Add(Connect("connect to the supervisor's .NET diagnostics socket", socket));
        }

        return attempts;
    }

    private static Attempt Read(string what, string path, Action<string> found)
    {
        try
        {
            var text = File.ReadAllText(path);
            found(text);
            return new Attempt(what, text.Length > 0, $"read {text.Length} characters of {path}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Attempt(what, false, ex.Message);
        }
    }

    private static Attempt CallAdmin(string what, string socket, string token, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = SupervisorChannel.Create("unix://" + socket, token.Length > 0 ? token : null);
            var reply = new AdminService.AdminServiceClient(channel).ListPlugins(new ListPluginsRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
            return new Attempt(what, true, $"listed {reply.Plugins.Count} plugins");
        }
        catch (RpcException ex)
        {
            return new Attempt(what, false, $"{ex.StatusCode}: {ex.Status.Detail}");
        }
    }

    private static Attempt CallSibling(string what, string socket, string token, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = SupervisorChannel.Create("unix://" + socket, token.Length > 0 ? token : null);
            var reply = new PluginService.PluginServiceClient(channel).Describe(new DescribeRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
            return new Attempt(what, true, $"described {reply.Name}");
        }
        catch (RpcException ex)
        {
            return new Attempt(what, false, $"{ex.StatusCode}: {ex.Status.Detail}");
        }
    }

    private static Attempt Connect(string what, string path)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new Attempt(what, true, $"connected to {path}");
        }
        catch (SocketException ex)
        {
            return new Attempt(what, false, $"{path}: {ex.Message}");
        }
    }

    private static Attempt Signal(int pid, string whom)
    {
        var result = Kill(pid, SigKill);
        return result == 0
            ? new Attempt($"SIGKILL {whom} (pid {pid})", true, "delivered")
            : new Attempt($"SIGKILL {whom} (pid {pid})", false, Marshal.GetLastPInvokeErrorMessage());
    }

    private static Attempt Write(string what, string path)
    {
        try
        {
            File.WriteAllText(path, "hostile");
            return new Attempt(what, true, $"wrote {path}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Attempt(what, false, ex.Message);
        }
    }

    private static IEnumerable<string> DiagnosticsSockets(int supervisorPid)
    {
        var found = new List<string>();
        foreach (var folder in new[] { Path.GetTempPath(), "/tmp", Environment.GetEnvironmentVariable("TMPDIR") }.OfType<string>().Distinct())
        {
            try
            {
                found.AddRange(Directory.GetFiles(folder, $"dotnet-diagnostic-{supervisorPid}-*"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not listable: nothing found there.
            }
        }

        // Reported even when nothing is found, so the report shows the attempt was made.
        return found.Count > 0 ? found : [$"/tmp/dotnet-diagnostic-{supervisorPid}-(none visible)-socket"];
    }

    [GeneratedRegex("\"Token\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex TokenInJson();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
