using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Net.Client;
using Supervisor.Protocol;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Tests.TestAssets;

/// <summary>
/// A sample plugin started by the test itself with the handshake environment, the way the supervisor starts it,
/// so the SDK shim can be tested on its own.
/// </summary>
internal sealed class ManualPlugin : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly List<string> _stderr = [];

    private ManualPlugin(Process process, TempDirectory directory, string address, string token)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Token = token;
    }

    public string Address { get; }

    public string Token { get; }

    public Process Process => _process;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join(Environment.NewLine, _stderr);
            }
        }
    }

    /// <summary>The echo sample published with Native AOT, when clang was there to link it.</summary>
    public const string NativeEcho = "echo-aot";

    /// <summary>
    /// Ends the test Inconclusive where the Native AOT echo's <paramref name="executable"/> is missing: build.sh
    /// publishes it only where clang is installed.
    /// </summary>
    public static void RequireNativeEcho(string executable)
    {
        if (!File.Exists(executable))
        {
            Assert.Inconclusive($"{NativeEcho} is not published ({executable}): build.sh publishes it only where clang is installed (Debian: clang lld zlib1g-dev)");
        }
    }

    /// <param name="executable">The file in the version folder when it is not named after the plugin (echo-aot's is echo).</param>
    public static async Task<ManualPlugin> StartAsync(string name, string version, string settingsJson = "{}", string? executable = null)
    {
        Repository.RequireArtifacts();
        var path = Path.Combine(Repository.PluginsRoot, name, version, executable ?? name);
        if (name == NativeEcho)
        {
            RequireNativeEcho(path);
        }

        var directory = new TempDirectory();
        var address = "unix://" + directory.File("plugin.sock");
        var token = RandomNumberGenerator.GetHexString(32);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["SUPERVISOR_PROTOCOL_VERSION"] = "1";
        start.Environment["SUPERVISOR_PLUGIN_ADDRESS"] = address;
        start.Environment["SUPERVISOR_PLUGIN_TOKEN"] = token;
        start.Environment["SUPERVISOR_PLUGIN_NAME"] = name;
        start.Environment["SUPERVISOR_PLUGIN_VERSION"] = version;
        start.Environment["SUPERVISOR_INSTANCE_ID"] = name + "-test";
        start.Environment["SUPERVISOR_PLUGIN_SETTINGS"] = settingsJson;
        var process = Process.Start(start)!;
        var plugin = new ManualPlugin(process, directory, address, token);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (plugin._stderr)
                {
                    plugin._stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var ready = await process.StandardOutput.ReadLineAsync().DefaultTimeout();
        Assert.AreEqual($"SUPERVISOR_PLUGIN_READY 1 {address}", ready, $"ready line; stderr: {plugin.Stderr}");
        return plugin;
    }

    public GrpcChannel Channel(string? token) => SupervisorChannel.Create(Address, token);

    public PluginService.PluginServiceClient Client(out GrpcChannel channel)
    {
        channel = Channel(Token);
        return new PluginService.PluginServiceClient(channel);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().DefaultTimeout();
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
