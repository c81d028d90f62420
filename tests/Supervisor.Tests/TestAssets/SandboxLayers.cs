using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Tests.TestAssets;

/// <summary>Makes a test Inconclusive, naming the reason, when this host does not apply a sandbox layer it needs.</summary>
internal static class SandboxLayers
{
    public static void Require(InstanceInfo instance, params string[] layers)
    {
        foreach (var name in layers)
        {
            var layer = instance.Sandbox?.Layers.FirstOrDefault(l => l.Name == name);
            if (layer is null)
            {
                Assert.Inconclusive($"this host reports no '{name}' sandbox layer for the plugin (layers: {string.Join(", ", instance.Sandbox?.Layers.Select(l => l.Name) ?? [])})");
            }

            if (!layer.Applied)
            {
                Assert.Inconclusive($"this host cannot apply the '{name}' sandbox layer: {layer.Detail}");
            }
        }
    }

    /// <summary>
    /// The plugin process of an instance whose pid (the process the supervisor started) may be bubblewrap's: signals
    /// like SIGSTOP must reach the plugin itself.
    /// </summary>
    public static int PluginProcessOf(int instancePid) => Supervisor.Sandbox.SandboxedProcess.Find(instancePid);

    /// <summary>Host processes whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal) && Posix.IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone while being read.
            }
        }

        return found;
    }

    /// <summary>A number no other process's command line holds, for <c>sleep</c>: found again by <see cref="ProcessesWith"/>.</summary>
    public static string Marker() => $"86{Random.Shared.Next(100_000, 999_999)}.{Random.Shared.Next(1000, 9999)}";
}
