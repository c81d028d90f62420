using System.Diagnostics;
using Google.Protobuf;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Configuration;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Sandboxes;

/// <summary>
/// Two chaos plugins spin on every core (<c>CpuLimit</c> 0.5 each) while a third plugin's calls, each with a 300 ms
/// deadline on a handler that would take a second, wait for their DEADLINE_EXCEEDED answers: how late those answers
/// are is what a greedy sibling costs the others. Measured with the sandbox on (limits applied) and off (no limits).
/// </summary>
internal sealed class NoisyNeighbours
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromMilliseconds(300);
    private readonly BenchmarkPaths _paths;

    public NoisyNeighbours(BenchmarkPaths paths) => _paths = paths;

    /// <returns>The median and the worst time to the answer, in milliseconds.</returns>
    public async Task<(double MedianMillis, double WorstMillis)> MeasureAsync(SandboxMode mode, int calls, string folder, CancellationToken cancellationToken)
    {
        var spinner = new PluginOptions { Version = "1.0.0", CpuLimit = 0.5, Deadline = TimeSpan.FromSeconds(60), HangGrace = TimeSpan.FromSeconds(60) };
        var options = EmbeddedOptions.Create(_paths, Path.Combine(_paths.TempDirectory, folder), "quiet", new PluginOptions { Version = "1.0.0", HangGrace = TimeSpan.FromSeconds(30) });
        options.Plugins["greedy1"] = spinner;
        options.Plugins["greedy2"] = spinner;
        options.Sandbox.Mode = mode;
        options.PluginsRoot = Linked(folder);
        var supervisor = new PluginSupervisor(options);
        await using (supervisor.ConfigureAwait(false))
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
            var spins = new List<Task>();
            foreach (var greedy in new[] { "greedy1", "greedy2" })
            {
                for (var core = 0; core < Environment.ProcessorCount; core++)
                {
                    spins.Add(supervisor.DispatchAsync(greedy, Call("work", "15000"), cancellationToken: cancellationToken).AsTask());
                }
            }

            var answers = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await supervisor.DispatchAsync("quiet", Call("sleep", "1000"), DateTime.UtcNow + CallDeadline, cancellationToken).ConfigureAwait(false);
                }
                catch (DispatchException ex) when (ex.Error == DispatchError.DeadlineExceeded)
                {
                    // The answer being timed.
                }

                answers.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(spins.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            return (Median.Of(answers), answers.Max());
        }
    }

    // Three names for the one chaos build: the plugins root links each to it.
    private string Linked(string folder)
    {
        var root = Path.Combine(_paths.TempDirectory, folder, "plugins");
        Directory.CreateDirectory(root);
        foreach (var name in new[] { "quiet", "greedy1", "greedy2" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            Directory.CreateSymbolicLink(Path.Combine(root, name, "1.0.0"), Path.Combine(_paths.PluginsRoot, "chaos", "1.0.0"));
        }

        return root;
    }

    private static Event Call(string name, string payload) => new() { Name = name, Payload = ByteString.CopyFromUtf8(payload) };
}
