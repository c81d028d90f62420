using System.Diagnostics;
using System.Runtime.CompilerServices;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// The same echo as a plain in-process call, behind an interface as a plugin host would hold it: what a call
/// costs without isolation, to put the per-hop figures in proportion.
/// </summary>
internal static class InProcessDirect
{
    private const string Name = ScenarioNames.InProcessDirect;

    /// <summary>Times <paramref name="calls"/> awaited calls.</summary>
    /// <returns>Nanoseconds per call.</returns>
    public static async Task<double> MeasureNanosPerCallAsync(Event pluginEvent, int calls)
    {
        IEchoHandler handler = new DirectEcho();
        var request = new HandleEventRequest { Event = pluginEvent };
        long sink = 0;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            var reply = await handler.HandleEventAsync(request, CancellationToken.None).ConfigureAwait(false);
            sink += reply.Payload.Length;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);

        // Consuming the replies keeps the JIT from discarding the calls.
        if (sink != (long)calls * pluginEvent.Payload.Length)
        {
            throw new InvalidOperationException($"{Name}: the direct echo returned the wrong payload");
        }

        return elapsed.TotalNanoseconds / calls;
    }

    private interface IEchoHandler
    {
        ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, CancellationToken cancellationToken);
    }

    // Mirrors the echo sample: the reply shares the request's payload, as the plugin's does.
    private sealed class DirectEcho : IEchoHandler
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new HandleEventResponse { Payload = request.Event.Payload, ContentType = request.Event.ContentType });
    }
}
