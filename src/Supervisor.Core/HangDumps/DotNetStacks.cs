using System.Diagnostics.Tracing;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Supervisor.HangDumps;

/// <summary>
/// Managed stacks of every thread of a .NET process, the way <c>dotnet-stack</c> takes them: a short EventPipe session
/// over the process's diagnostics socket with the runtime's sample profiler (which suspends the runtime and records
/// every managed thread's stack, a thread spinning in a tight loop included) and a rundown (which names the methods
/// behind the addresses), read with TraceEvent. Reading the trace (about a second of CPU for a gRPC server's rundown)
/// needs no process: the hung one can be killed as soon as the trace is recorded. Nothing is injected into the plugin and no debugger attaches: the
/// socket is all it needs, which a container without <c>CAP_SYS_PTRACE</c> still allows.
/// </summary>
internal static class DotNetStacks
{
    private const string SampleProfiler = "Microsoft-DotNETCore-SampleProfiler";

    // The profiler samples each thread every millisecond; a few tens of them survive a loaded machine.
    private static readonly TimeSpan SampleFor = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Records the trace: the only part that needs the process alive (the rundown happens in the process as the session
    /// stops). Cancelling abandons it.
    /// </summary>
    /// <returns>The trace file, for <see cref="ReadStacks"/>, which deletes it.</returns>
    public static async Task<string> RecordAsync(string socketPath, CancellationToken cancellationToken)
    {
        var nettrace = Path.Combine(Path.GetTempPath(), $"supervisor-hang-{Guid.NewGuid():N}.nettrace");
        try
        {
            var connector = await DiagnosticsClientConnector.FromDiagnosticPort($"{socketPath},connect", cancellationToken).ConfigureAwait(false);
            await using (connector.ConfigureAwait(false))
            {
                var providers = new[] { new EventPipeProvider(SampleProfiler, EventLevel.Informational) };
                using var session = await connector.Instance.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 64, token: cancellationToken).ConfigureAwait(false);
                var file = File.Create(nettrace);
                await using (file.ConfigureAwait(false))
                {
                    var copy = session.EventStream.CopyToAsync(file, cancellationToken);
                    await Task.Delay(SampleFor, cancellationToken).ConfigureAwait(false);
                    await session.StopAsync(cancellationToken).ConfigureAwait(false);
                    await copy.ConfigureAwait(false);
                }
            }

            return nettrace;
        }
        catch
        {
            Delete(nettrace);
            throw;
        }
    }

    /// <summary>Reads the first stack sample of every thread from a recorded trace, and deletes the trace.</summary>
    /// <returns>One block per thread, innermost frame first.</returns>
    public static string ReadStacks(string nettrace)
    {
        var etlx = Path.ChangeExtension(nettrace, ".etlx");
        try
        {
            TraceLog.CreateFromEventPipeDataFile(nettrace, etlx);
            using var log = new TraceLog(etlx);

            // The first sample of each thread: one consistent picture of the process at one moment.
            var threads = new Dictionary<int, (string Frames, int PluginDepth)>();
            foreach (var sample in log.Events)
            {
                if (sample.ProviderName != SampleProfiler || threads.ContainsKey(sample.ThreadID) || sample.CallStack() is not { } stack)
                {
                    continue;
                }

                threads[sample.ThreadID] = Describe(stack);
            }

            if (threads.Count == 0)
            {
                throw new InvalidDataException("the trace holds no stack sample (the runtime may have been suspended, or the session too short on a loaded machine)");
            }

            // The threads running the plugin's own code nearest the top of their stack first: a handler stuck in a loop
            // or a wait, rather than Main waiting for the host, is what its author is looking for.
            var text = new StringBuilder();
            foreach (var (thread, (frames, _)) in threads.OrderBy(t => t.Value.PluginDepth).ThenBy(t => t.Key))
            {
                text.Append("Thread 0x").Append(thread.ToString("X", System.Globalization.CultureInfo.InvariantCulture)).Append(":\n").Append(frames).Append('\n');
            }

            return text.ToString();
        }
        finally
        {
            Delete(nettrace);
            Delete(etlx);
        }
    }

    private static (string Frames, int PluginDepth) Describe(TraceCallStack stack)
    {
        var frames = new StringBuilder();
        var native = false;
        var depth = 0;
        var pluginDepth = int.MaxValue;
        for (var frame = stack; frame is not null; frame = frame.Caller)
        {
            var method = frame.CodeAddress.FullMethodName;
            if (string.IsNullOrEmpty(method))
            {
                // Runs of native frames (the runtime, libc) say nothing to a plugin author: one line for each run.
                if (!native)
                {
                    frames.Append("  [native frames]\n");
                }

                native = true;
                continue;
            }

            native = false;
            if (pluginDepth == int.MaxValue && !IsPlatform(frame.CodeAddress.ModuleName))
            {
                pluginDepth = depth;
            }

            depth++;
            frames.Append("  ").Append(frame.CodeAddress.ModuleName).Append('!').Append(method).Append('\n');
        }

        return (frames.ToString(), pluginDepth);
    }

    // The runtime, the frameworks and the SDK's shim run on every plugin's threads; anything else is the plugin's.
    private static bool IsPlatform(string module) =>
        module.StartsWith("System.", StringComparison.Ordinal) || module.StartsWith("Microsoft.", StringComparison.Ordinal) ||
        module.StartsWith("Grpc.", StringComparison.Ordinal) || module.StartsWith("Google.Protobuf", StringComparison.Ordinal) ||
        module.StartsWith("Supervisor.", StringComparison.Ordinal) || module is "System" or "netstandard" or "mscorlib";

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temp file left behind is not worth failing a capture for.
        }
    }
}
