using Microsoft.Extensions.Logging;
using Supervisor.Configuration;

namespace Supervisor.Tests.TestAssets;

/// <summary>A <see cref="PluginSupervisor"/> in the test process over the published sample plugins.</summary>
internal static class EmbeddedSupervisor
{
    private static readonly ILoggerFactory Logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

    public static SupervisorOptions Options(TempDirectory directory, params (string Name, PluginOptions Options)[] plugins)
    {
        var options = new SupervisorOptions
        {
            PluginsRoot = Directory.Exists(directory.File("plugins")) ? directory.File("plugins") : Repository.PluginsRoot,
            StateDirectory = directory.File("state"),
            RuntimeDirectory = directory.File("run"),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        foreach (var (name, plugin) in plugins)
        {
            options.Plugins[name] = plugin;
        }

        return options;
    }

    public static Task<PluginSupervisor> StartAsync(TempDirectory directory, params (string Name, PluginOptions Options)[] plugins) =>
        StartAsync(directory, SandboxMode.Auto, plugins);

    /// <summary>Starts a supervisor with the sandbox in <paramref name="sandbox"/> mode (off: to test what applies without one).</summary>
    public static async Task<PluginSupervisor> StartAsync(TempDirectory directory, SandboxMode sandbox, params (string Name, PluginOptions Options)[] plugins)
    {
        Repository.RequireArtifacts();
        var options = Options(directory, plugins);
        options.Sandbox.Mode = sandbox;
        var supervisor = new PluginSupervisor(options, Logging);
        await supervisor.StartAsync().DefaultTimeout();
        return supervisor;
    }
}
