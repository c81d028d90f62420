#:project ../src/Supervisor.Core/Supervisor.Core.csproj
// Figures for plugins in other languages against the .NET echo, through the embedded path, in one run:
//   dotnet run perf/plugin-figures.cs -- [PLUGIN ...] [--rounds N] [--seconds S]
// (after ./build.sh; default plugins: echo echo-python, 5 start rounds, 10 s of load). For each published plugin
// (PluginsRoot/<name>/1.0.0), in alternating rounds so that drift on a shared machine falls on every plugin alike:
// start to first reply (PluginSupervisor.StartAsync until the first DispatchAsync returns), the plugin process's idle
// RSS (VmRSS 2 s after that reply), and 1 KiB echo calls per second with 16 concurrent callers (one instance,
// after a 2 s warm-up). Medians, then each as a ratio to the first plugin named.
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Supervisor;
using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

const int Callers = 16;
const string Version = "1.0.0";
var plugins = new List<string>();
var rounds = 5;
var seconds = 10;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rounds" when i + 1 < args.Length:
            rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seconds" when i + 1 < args.Length:
            seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            plugins.Add(args[i]);
            break;
    }
}

if (plugins.Count == 0)
{
    plugins.AddRange(["echo", "echo-python"]);
}

var root = FindRepositoryRoot();
var pluginsRoot = Path.Combine(root, "artifacts", "plugins");
foreach (var plugin in plugins)
{
    var manifest = Path.Combine(pluginsRoot, plugin, Version, "plugin.json");
    if (!File.Exists(manifest))
    {
        Console.Error.WriteLine($"{manifest} is missing: run ./build.sh first");
        return 2;
    }
}

var payload = new byte[1024];
for (var i = 0; i < payload.Length; i++)
{
    payload[i] = (byte)('a' + (i % 26));
}

var pluginEvent = new Event { Id = "figures-1", Name = "bench.echo", Payload = ByteString.CopyFrom(payload), ContentType = "application/octet-stream" };
var starts = plugins.ToDictionary(p => p, _ => new List<double>());
var rss = plugins.ToDictionary(p => p, _ => new List<double>());
var throughput = plugins.ToDictionary(p => p, _ => new List<double>());
using var temp = new TempFolder();

// Round 0 warms this process up (the engine's first start pays its JIT) and is not counted.
for (var round = 0; round <= rounds; round++)
{
    // Alternate the order each round.
    var order = round % 2 == 1 ? plugins : Enumerable.Reverse(plugins).ToList();
    foreach (var plugin in order)
    {
        var directory = Path.Combine(temp.Path, $"{plugin}-{round}");
        var options = new SupervisorOptions
        {
            PluginsRoot = pluginsRoot,
            StateDirectory = Path.Combine(directory, "state"),
            RuntimeDirectory = Path.Combine(directory, "run"),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
            Events = { Listen = "unix://" + Path.Combine(directory, "events.sock") },
            Admin = { Listen = "unix://" + Path.Combine(directory, "admin.sock") },
            Plugins = { [plugin] = new PluginOptions { Version = Version, Instances = 1, MaxConcurrency = 64 } },
        };

        var clock = Stopwatch.StartNew();
        await using var supervisor = new PluginSupervisor(options);
        await supervisor.StartAsync();
        var first = await supervisor.DispatchAsync(plugin, pluginEvent);
        var startMs = clock.Elapsed.TotalMilliseconds;
        if (first.Payload.Length != payload.Length)
        {
            throw new InvalidOperationException($"{plugin} answered {first.Payload.Length} bytes to a {payload.Length}-byte echo");
        }

        if (round == 0)
        {
            Console.Error.WriteLine(FormattableString.Invariant($"warm-up {plugin}: start to first reply {startMs:0} ms (not counted)"));
            continue;
        }

        await Task.Delay(TimeSpan.FromSeconds(2));

        var residentMb = ResidentMegabytes(supervisor.GetPlugin(plugin).Instances.Single().Pid);
        await LoadAsync(supervisor, plugin, TimeSpan.FromSeconds(2));
        var callsPerSecond = await LoadAsync(supervisor, plugin, TimeSpan.FromSeconds(seconds));

        starts[plugin].Add(startMs);
        rss[plugin].Add(residentMb);
        throughput[plugin].Add(callsPerSecond);
        Console.Error.WriteLine(FormattableString.Invariant($"round {round}/{rounds} {plugin}: start to first reply {startMs:0} ms, idle RSS {residentMb:0.0} MiB, {callsPerSecond:0} calls/s"));
    }
}

var baseline = plugins[0];
Console.WriteLine($"| plugin | start to first reply | idle RSS | 1 KiB echo, {Callers} callers |");
Console.WriteLine("|---|---|---|---|");
foreach (var plugin in plugins)
{
    double Ratio(Dictionary<string, List<double>> figures) => Median(figures[plugin]) / Median(figures[baseline]);
    Console.WriteLine(FormattableString.Invariant(
        $"| {plugin} | {Median(starts[plugin]):0} ms ({Ratio(starts):0.00}x) | {Median(rss[plugin]):0.0} MiB ({Ratio(rss):0.00}x) | {Median(throughput[plugin]):0} calls/s ({Ratio(throughput):0.00}x) |"));
}

return 0;

async Task<double> LoadAsync(PluginSupervisor supervisor, string plugin, TimeSpan duration)
{
    long calls = 0;
    var clock = Stopwatch.StartNew();
    var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
    {
        while (clock.Elapsed < duration)
        {
            await supervisor.DispatchAsync(plugin, pluginEvent);
            Interlocked.Increment(ref calls);
        }
    }));
    await Task.WhenAll(callers);
    return calls / clock.Elapsed.TotalSeconds;
}

static double ResidentMegabytes(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS");
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Supervisor.sln")))
        {
            return directory.FullName;
        }
    }

    // File-based apps build outside the repository: fall back to the working directory.
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Supervisor.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Supervisor.sln not found above the program or the working directory");
}

/// <summary>A temp folder removed at the end of the run.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("plugin-figures-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
