using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Supervisor.Benchmarks.Measurement;

/// <summary>
/// Bytes another .NET process allocates while some work runs, from the runtime's allocation ticks read over an
/// EventPipe session on its diagnostics socket: each tick carries the exact bytes its heap allocated since the heap's
/// previous tick (about 100 KB), so the sum is off by at most a tick per heap at each end of the window. Not
/// <c>GC.GetTotalAllocatedBytes</c> (the <c>dotnet.gc.heap.total_allocated</c> metric the host exports): under Server
/// GC with DATAS, the host's default, it sums only the heaps active at the moment and stood still for seconds while the
/// host allocated gigabytes (dotnet/runtime#131069), which made the host's bytes per call come out as zero.
/// </summary>
internal static class AllocationTicks
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    /// <summary>Runs <paramref name="work"/> and counts what process <paramref name="pid"/> allocated meanwhile.</summary>
    /// <returns>The bytes allocated.</returns>
    /// <exception cref="InvalidOperationException">The process's diagnostics socket does not answer.</exception>
    public static async Task<long> MeasureAsync(int pid, Func<Task> work, CancellationToken cancellationToken)
    {
        using var session = await StartSessionAsync(pid, cancellationToken).ConfigureAwait(false);
        long bytes = 0;
        var reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            source.Clr.GCAllocationTick += tick => bytes += tick.AllocationAmount64;
            source.Process();
        }, CancellationToken.None);

        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            // The stream ends once the session stops, which ends Process(); stopped even when cancelled, so the reader
            // does not outlive the measurement.
            await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await reading.ConfigureAwait(false);
        return bytes;
    }

    private static async Task<EventPipeSession> StartSessionAsync(int pid, CancellationToken cancellationToken)
    {
        // The allocation tick is a verbose event of the GC keyword; nothing else is asked for, so the session costs
        // the process a few events a millisecond at most.
        var provider = new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC);
        try
        {
            return await new DiagnosticsClient(pid).StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 16, token: cancellationToken).ConfigureAwait(false);
        }
        catch (DiagnosticsClientException ex)
        {
            throw new InvalidOperationException($"cannot count the allocations of pid {pid} through its diagnostics socket (is DOTNET_EnableDiagnostics=0 set?): {ex.Message}", ex);
        }
    }
}
