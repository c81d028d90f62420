using System.Diagnostics;
using System.Text.Json;
using Supervisor;
using Supervisor.Benchmarks;
using Supervisor.Benchmarks.PublishModes;
using Supervisor.Benchmarks.Results;
using Supervisor.Benchmarks.Scaling;
using Supervisor.Benchmarks.Sandboxes;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Benchmarks.Sdks;
using Supervisor.Benchmarks.Soak;

// Exit codes: 0 done, 1 the benchmark failed, 2 the published artifacts are missing, 64 bad arguments, 130 interrupted.
const int Failed = 1;
const int ArtifactsMissing = 2;
const int Usage = 64;
const int Interrupted = 130;
var startTimeout = TimeSpan.FromSeconds(90);

var settings = BenchmarkSettings.Full;
string? outPath = null;
var hosts = new List<HostBuild>();
int? soakMinutes = null;
var sdks = false;
var sandbox = false;
int? scaleInstances = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            settings = BenchmarkSettings.QuickRun;
            break;
        case "--out" when i + 1 < args.Length:
            outPath = Path.GetFullPath(args[++i]);
            break;
        case "--host" when i + 1 < args.Length && HostBuild.Parse(args[i + 1]) is { } host:
            hosts.Add(host);
            i++;
            break;
        case "--sandbox":
            sandbox = true;
            break;
        case "--sdks":
            sdks = true;
            break;
        case "--scale":
            // The count is optional, like --soak's minutes.
            scaleInstances = 0;
            if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
            {
                if (!int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count is < 1 or > 1000)
                {
                    await Console.Error.WriteLineAsync($"--scale {args[i + 1]}: the instance count must be a whole number from 1 to 1000");
                    return Usage;
                }

                scaleInstances = count;
                i++;
            }

            break;
        case "--soak":
            // The minutes are optional: a following argument that is not a number is the next option.
            soakMinutes = SoakSettings.DefaultMinutes;
            if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
            {
                if (!int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 24 * 60)
                {
                    await Console.Error.WriteLineAsync($"--soak {args[i + 1]}: the duration must be whole minutes from 1 to 1440");
                    return Usage;
                }

                soakMinutes = minutes;
                i++;
            }

            break;
        case "-h" or "--help":
            Console.WriteLine("""
                usage: Supervisor.Benchmarks [--quick] [--out PATH] [--host MODE=EXECUTABLE ...] [--soak [MINUTES]] [--sdks] [--sandbox] [--scale [INSTANCES]]
                  every scenario, into PATH (default: artifacts/bench/results.json in the repository); or, with --host,
                  only a comparison of supervisor host builds (perf/publish-modes.sh; default PATH: artifacts/bench/publish-modes.json);
                  or, with --soak, only the soak: the published host on echo and chaos for MINUTES (default 10; 2 or more
                  for the flatness verdicts) under 16 callers, instance and plugin kills and a roll a minute, with its
                  RSS, fds, threads, zombies and orphans read every minute (default PATH: artifacts/bench/soak.json);
                  or, with --sdks, only the SDK comparison: each SDK's echo sample (echo, echo-node, echo-python) for start to
                  first reply, idle RSS and 16-caller 1 KiB throughput, as ratios to .NET's (default PATH: artifacts/bench/sdks.json);
                  or, with --sandbox, only what each sandbox layer costs: the .NET echo's start to first reply and 16-caller 1 KiB
                  throughput with the sandbox off, its wrappers only, identity, bwrap, cgroups, and all (artifacts/bench/sandbox.json)
                  or, with --scale, only scale_100: INSTANCES (default: 100, 10 with --quick) AOT echo instances started at once
                  under an embedded supervisor, 3 rounds (1 with --quick), with the CPU per start (artifacts/bench/scale.json)
                """);
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown or incomplete argument '{args[i]}'; usage: [--quick] [--out PATH] [--host MODE=EXECUTABLE ...] [--soak [MINUTES]] [--sdks] [--sandbox] [--scale [INSTANCES]]");
            return Usage;
    }
}

if (soakMinutes is not null && (hosts.Count > 0 || settings.Quick || sdks))
{
    await Console.Error.WriteLineAsync("--soak runs alone: it does not combine with --quick, --host or --sdks");
    return Usage;
}

if (sandbox && (sdks || hosts.Count > 0 || soakMinutes is not null))
{
    await Console.Error.WriteLineAsync("--sandbox runs alone: it does not combine with --sdks, --host or --soak");
    return Usage;
}

if (scaleInstances is not null && (sdks || sandbox || hosts.Count > 0 || soakMinutes is not null))
{
    await Console.Error.WriteLineAsync("--scale runs alone: it combines only with --quick and --out");
    return Usage;
}

if (sdks && hosts.Count > 0)
{
    await Console.Error.WriteLineAsync("--sdks does not combine with --host");
    return Usage;
}

var repoRoot = BenchmarkPaths.FindRepoRoot();
if (repoRoot is null)
{
    await Console.Error.WriteLineAsync($"cannot find the repository: no {BenchmarkPaths.SolutionFile} above {AppContext.BaseDirectory}");
    return ArtifactsMissing;
}

outPath ??= Path.Combine(repoRoot, "artifacts", "bench", soakMinutes is not null ? "soak.json" : hosts.Count > 0 ? "publish-modes.json" : sdks ? "sdks.json" : sandbox ? "sandbox.json" : scaleInstances is not null ? "scale.json" : "results.json");
if (hosts.Find(h => !File.Exists(h.Executable)) is { } absent)
{
    await Console.Error.WriteLineAsync($"--host {absent.Mode}: no executable at {absent.Executable}");
    return ArtifactsMissing;
}

// Short and private: plugin socket paths must fit in 108 bytes, and the run removes it whatever happens.
var tempDirectory = Directory.CreateTempSubdirectory("psbench-");

// Passable by others: the sandbox runs plugins under uids of their own, and their sockets are in here.
File.SetUnixFileMode(tempDirectory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
var paths = new BenchmarkPaths(repoRoot, tempDirectory.FullName);
var missing = paths.MissingArtifacts();
if (missing.Count > 0)
{
    tempDirectory.Delete(recursive: true);
    await Console.Error.WriteLineAsync($"missing published artifacts: {string.Join(", ", missing)}; run ./build.sh first");
    return ArtifactsMissing;
}

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the finally blocks stop the child processes instead of dying with them running.
    e.Cancel = true;
    interrupt.Cancel();
};

var startedAt = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var pluginEvent = EchoEvent.Create();
var floor = new FloorScenario(paths, pluginEvent);
var embedded = new EmbeddedScenario(paths, pluginEvent);
var eventsApi = new EventsApiScenario(paths, pluginEvent);
IScenario[] floorComposite = paths.HasEchoComposite ? [FloorScenario.OnCompositeEcho(paths, pluginEvent)] : [];
IScenario[] scenarios = [floor, embedded, eventsApi, .. floorComposite];
var runner = new BenchmarkRunner(settings, Console.Error);
try
{
    if (hosts.Count > 0)
    {
        var comparison = new PublishModeComparison(settings, paths, hosts, Console.Error);
        var modes = PublishModeReport.Create(settings, await comparison.MeasureAsync(interrupt.Token), hosts, comparison.Plugin, startedAt);
        await WriteResultsAsync(JsonSerializer.Serialize(modes, ReportJsonContext.Default.PublishModeReport), modes.Format());
        return 0;
    }

    if (sandbox)
    {
        // --quick: one short round, to keep the comparison from rotting; the figures in docs come from the full run.
        var sandboxReport = await new SandboxComparison(paths, Console.Error).MeasureAsync(settings.Quick ? 1 : 5, settings.Callers, settings.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(8), startedAt, interrupt.Token);
        await WriteResultsAsync(JsonSerializer.Serialize(sandboxReport, ReportJsonContext.Default.SandboxReport), sandboxReport.Format());
        return 0;
    }

    if (sdks)
    {
        // --quick: one short round, to keep the comparison from rotting; the figures in docs come from the full run.
        var sdkComparison = new SdkComparison(paths, Console.Error);
        var sdkReport = await sdkComparison.MeasureAsync(settings.Quick ? 1 : 5, settings.Callers, settings.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10), startedAt, interrupt.Token);
        await WriteResultsAsync(JsonSerializer.Serialize(sdkReport, ReportJsonContext.Default.SdkReport), sdkReport.Format());
        return 0;
    }

    if (scaleInstances is { } count)
    {
        var alone = new ScaleScenario(paths, Console.Error);
        var instances = count > 0 ? count : settings.ScaleInstances;
        var figures = ScaleFigures.MedianOf(await alone.MeasureAsync(settings.ScaleRounds, instances, interrupt.Token), instances, alone.Plugin);
        await WriteResultsAsync(JsonSerializer.Serialize(figures, ReportJsonContext.Default.ScaleFigures), $"{ScenarioNames.Scale} {figures.Describe()}");
        return 0;
    }

    if (soakMinutes is { } soakDuration)
    {
        var soak = await new SoakRun(new SoakSettings(TimeSpan.FromMinutes(soakDuration)), paths, Console.Error).RunAsync(interrupt.Token);
        await WriteResultsAsync(JsonSerializer.Serialize(soak, ReportJsonContext.Default.SoakReport), SoakTable.Format(soak));
        return 0;
    }

    RoundLog log;
    try
    {
        // The embedded supervisor first: where it moves this process into a CPU scheduling group shared with its
        // plugins (SharedSchedulingGroup), the floor's plugin, started after, is in that group with its caller too.
        foreach (var scenario in (IScenario[])[embedded, floor, eventsApi, .. floorComposite])
        {
            try
            {
                // A start that never completes (e.g. a plugin start that faulted inside the supervisor) must fail
                // the run, not hang it.
                await scenario.StartAsync(interrupt.Token).WaitAsync(startTimeout, interrupt.Token);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{scenario.Name} did not start within {startTimeout.TotalSeconds:0} s; if src/ or artifacts/ were rebuilt during the run, run ./build.sh and retry", ex);
            }

            await Console.Error.WriteLineAsync($"{scenario.Name}: started ({clock.Elapsed.TotalSeconds:0.0} s)");
        }

        log = await runner.RunAsync(scenarios, embedded, pluginEvent, interrupt.Token);

        // On the same warm processes, after the 1 KiB rounds, so their figures stay comparable with earlier runs.
        log.Payload.AddRange(await new PayloadScaling(settings, runner, Console.Error).MeasureAsync(floor, embedded, eventsApi, interrupt.Token));
        log.Instances.AddRange(await new InstanceScaling(settings, runner, paths, Console.Error).MeasureAsync(embedded, pluginEvent, interrupt.Token));
    }
    finally
    {
        // In the start order, which Teardown stops in reverse: the embedded supervisor last, since the processes started
        // while this one was in its scheduling group must be gone for the group to be removed.
        await Teardown.StopAllAsync([embedded, floor, eventsApi, .. floorComposite], Console.Error);
    }

    var polly = new InProcessPollyScenario(pluginEvent);
    await polly.StartAsync(interrupt.Token);
    await runner.MeasureAloneAsync(polly, log, interrupt.Token);

    // It kills processes on purpose, so it runs once, alone: after the latency rounds, with their processes gone.
    log.HangRecovery.AddRange(await new HangRecoveryScenario(paths, Console.Error).MeasureAsync(settings.HangRecoveryRounds, interrupt.Token));

    // Start times and memory, each alone too: a process starting beside a busy benchmark would measure the load.
    log.PluginStarts.AddRange(await new PluginStartScenario(paths, pluginEvent, Console.Error).MeasureAsync(settings.PluginStartRounds, interrupt.Token));
    log.SupervisorRssMb.AddRange(await new SupervisorRssScenario(paths, pluginEvent, Console.Error).MeasureAsync(settings.SupervisorRssRounds, interrupt.Token));
    var scale = new ScaleScenario(paths, Console.Error);
    log.Scale.AddRange(await scale.MeasureAsync(settings.ScaleRounds, settings.ScaleInstances, interrupt.Token));
    log.Roll.AddRange(await new RollScenario(paths, pluginEvent, Console.Error).MeasureAsync(settings.RollRounds, settings.Callers, settings.RollSteadyWindow, interrupt.Token));

    var report = BenchmarkReport.Create(settings, log, startedAt, scale.Plugin);
    await WriteResultsAsync(JsonSerializer.Serialize(report, ReportJsonContext.Default.BenchmarkReport), ReportTable.Format(report));
    return 0;
}
catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("interrupted");
    return Interrupted;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Grpc.Core.RpcException or DispatchException or System.ComponentModel.Win32Exception)
{
    await Console.Error.WriteLineAsync($"benchmark failed: {ex.GetType().Name}: {ex.Message}");
    return Failed;
}
finally
{
    try
    {
        tempDirectory.Delete(recursive: true);
    }
    catch (IOException)
    {
        // A socket still being released; the folder is in the temp location anyway.
    }
}

async Task WriteResultsAsync(string json, string table)
{
    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
    await File.WriteAllTextAsync(outPath, json + Environment.NewLine);

    // JSON alone on stdout, so it can be piped; people read the table on stderr.
    Console.WriteLine(json);
    await Console.Error.WriteLineAsync();
    await Console.Error.WriteLineAsync(table);
    await Console.Error.WriteLineAsync($"wrote {outPath} ({clock.Elapsed.TotalSeconds:0} s)");
}
