using System.Text.Json;
using System.Text.Json.Nodes;

namespace Supervisor.Benchmarks.Processes;

/// <summary>
/// The published <c>supervisor</c> host, run as an operator would (<c>supervisor run --config …</c>) on a
/// configuration written into a private folder, with its events API on a Unix socket there.
/// </summary>
internal static class SupervisorHostProcess
{
    private const string ReadyMarker = "Supervisor ready: events API on";

    /// <summary>Gets how long a cold start of the host plus its plugins may take on a busy 2-core VM.</summary>
    public static TimeSpan ReadyTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Starts the published host with <paramref name="plugins"/> as its <c>Supervisor:Plugins</c> section; returns once it is ready.</summary>
    /// <returns>The host process, and the events API address to dispatch to.</returns>
    public static async Task<(ChildProcess Host, string EventsAddress)> StartAsync(BenchmarkPaths paths, string directory, JsonObject plugins, CancellationToken cancellationToken)
    {
        var launch = await PrepareAsync(paths, directory, plugins, cancellationToken).ConfigureAwait(false);
        var host = Launch(paths.SupervisorExecutable, launch);
        try
        {
            await host.WaitReadyAsync(ReadyTimeout, cancellationToken).ConfigureAwait(false);
            return (host, launch.EventsAddress);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes the configuration into <paramref name="directory"/>, so a timed start does not include it.</summary>
    public static async Task<HostLaunch> PrepareAsync(BenchmarkPaths paths, string directory, JsonObject plugins, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var eventsSocket = EventsSocketIn(directory);
        var configPath = Path.Combine(directory, "supervisor.json");
        await File.WriteAllTextAsync(configPath, BuildConfig(paths, directory, "unix://" + eventsSocket, plugins), cancellationToken).ConfigureAwait(false);
        return new HostLaunch(directory, configPath, eventsSocket);
    }

    /// <summary>Starts <paramref name="executable"/> (some build of the host) on a prepared configuration; <see cref="ChildProcess.WaitReadyAsync"/> waits for its ready line.</summary>
    public static ChildProcess Launch(string executable, HostLaunch launch) =>
        ChildProcess.Start(executable, ["run", "--config", launch.ConfigPath], launch.Directory, WithoutOverrides(), ReadyMarker);

    /// <summary>The events API's Unix socket of a host whose configuration was written into <paramref name="directory"/>.</summary>
    public static string EventsSocketIn(string directory) => Path.Combine(directory, "events.sock");

    /// <summary>The admin API address of a host whose configuration was written into <paramref name="directory"/>.</summary>
    public static string AdminAddressIn(string directory) => "unix://" + Path.Combine(directory, "admin.sock");

    /// <summary>The folder under <paramref name="directory"/> where the host puts its plugins' sockets (<c>RuntimeDirectory</c>).</summary>
    public static string RuntimeDirectoryIn(string directory) => Path.Combine(directory, "run");

    /// <summary>SIGTERM: the host drains and shuts its plugins down; it is killed with its tree if it takes too long.</summary>
    public static async Task StopAsync(ChildProcess host)
    {
        await host.StopAsync(terminate: true, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        await host.DisposeAsync().ConfigureAwait(false);
    }

    private static string BuildConfig(BenchmarkPaths paths, string directory, string eventsAddress, JsonObject plugins)
    {
        var config = new JsonObject
        {
            ["Supervisor"] = new JsonObject
            {
                ["PluginsRoot"] = paths.PluginsRoot,
                ["StateDirectory"] = Path.Combine(directory, "state"),
                ["RuntimeDirectory"] = RuntimeDirectoryIn(directory),
                ["ShutdownTimeout"] = "00:00:05",
                ["Events"] = new JsonObject { ["Listen"] = eventsAddress },
                ["Monitoring"] = new JsonObject { ["Listen"] = "http://127.0.0.1:0" },
                ["Admin"] = new JsonObject { ["Listen"] = AdminAddressIn(directory) },
                ["Plugins"] = plugins,
            },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    // Supervisor__… variables in the caller's environment would silently change the measured configuration.
    private static Dictionary<string, string?> WithoutOverrides()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Environment.GetEnvironmentVariables().Keys)
        {
            if (name is string text && text.StartsWith("Supervisor__", StringComparison.OrdinalIgnoreCase))
            {
                environment[text] = null;
            }
        }

        return environment;
    }
}
