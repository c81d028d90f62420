using Supervisor.Configuration;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>Options for an in-process supervisor that runs one plugin, with everything inside a temp folder.</summary>
internal static class EmbeddedOptions
{
    public static SupervisorOptions Create(BenchmarkPaths paths, string directory, string plugin, PluginOptions pluginOptions) => new()
    {
        PluginsRoot = paths.PluginsRoot,
        StateDirectory = Path.Combine(directory, "state"),
        RuntimeDirectory = Path.Combine(directory, "run"),
        ShutdownTimeout = TimeSpan.FromSeconds(5),
        // Never served in process; set so the options describe nothing outside the temp folder.
        Events = { Listen = "unix://" + Path.Combine(directory, "events.sock") },
        Admin = { Listen = "unix://" + Path.Combine(directory, "admin.sock") },
        Plugins = { [plugin] = pluginOptions },
    };
}
