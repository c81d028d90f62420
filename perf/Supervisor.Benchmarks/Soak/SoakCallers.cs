using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Protocol.Events.V1;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The soak's callers on the events API: most dispatch a 1 KiB echo under echo's configured deadline, the others
/// random chaos events under deadlines of their own. Each call's wall time is measured against its deadline.
/// </summary>
internal sealed class SoakCallers
{
    private const string WrongPayload = "OK (wrong payload)";
    private const string NoAnswer = "(no answer)";
    private readonly SoakSettings _settings;
    private readonly EventService.EventServiceClient _client;
    private readonly CallTally _tally;
    private readonly SoakClock _clock;
    private readonly ChaosEvents _chaos;

    public SoakCallers(SoakSettings settings, EventService.EventServiceClient client, CallTally tally, SoakClock clock)
    {
        _settings = settings;
        _client = client;
        _tally = tally;
        _clock = clock;
        _chaos = new ChaosEvents(settings);
    }

    /// <summary>Starts every caller; each starts no new call once <paramref name="stop"/> is cancelled, and abandons its call on <paramref name="interrupt"/>.</summary>
    public IReadOnlyList<Task> Start(CancellationToken stop, CancellationToken interrupt)
    {
        var loops = new List<Task>(_settings.EchoCallers + _settings.ChaosCallers);
        for (var i = 0; i < _settings.EchoCallers; i++)
        {
            loops.Add(Task.Run(() => EchoLoopAsync(stop, interrupt), CancellationToken.None));
        }

        for (var i = 0; i < _settings.ChaosCallers; i++)
        {
            loops.Add(Task.Run(() => ChaosLoopAsync(stop, interrupt), CancellationToken.None));
        }

        return loops;
    }

    private async Task EchoLoopAsync(CancellationToken stop, CancellationToken interrupt)
    {
        var request = new DispatchRequest { Plugin = SoakPlugins.Echo, Event = EchoEvent.Create() };
        do
        {
            await CallAsync(request, _settings.EchoDeadline, sendDeadline: false, interrupt).ConfigureAwait(false);
        }
        while (await PauseAsync(_settings.EchoPause, stop).ConfigureAwait(false));
    }

    private async Task ChaosLoopAsync(CancellationToken stop, CancellationToken interrupt)
    {
        do
        {
            var request = new DispatchRequest { Plugin = SoakPlugins.Chaos, Event = _chaos.Next() };
            await CallAsync(request, _chaos.NextDeadline(), sendDeadline: true, interrupt).ConfigureAwait(false);
        }
        while (await PauseAsync(_settings.ChaosPause, stop).ConfigureAwait(false));
    }

    private async Task CallAsync(DispatchRequest request, TimeSpan deadline, bool sendDeadline, CancellationToken interrupt)
    {
        // No call runs unbounded: past this the soak stops waiting and records the call as unanswered.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        abandon.CancelAfter(deadline + _settings.AbandonAfter);
        // Not CallOptions.Deadline, which the client would enforce itself (see ServerDeadlineChannel).
        var headers = sendDeadline
            ? new Metadata { { ServerDeadlineChannel.TimeoutHeader, ((long)deadline.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "m" } }
            : null;
        var phase = _clock.Phase;
        var startedAt = _clock.Elapsed;
        var started = Stopwatch.GetTimestamp();
        var answered = true;
        string status;
        string? detail = null;
        try
        {
            var reply = await _client.DispatchAsync(request, headers, cancellationToken: abandon.Token).ConfigureAwait(false);
            status = request.Plugin == SoakPlugins.Echo && reply.Payload.Length != request.Event.Payload.Length ? WrongPayload : CallOutcome.Ok;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && abandon.IsCancellationRequested)
        {
            interrupt.ThrowIfCancellationRequested();
            answered = false;
            status = NoAnswer;
        }
        catch (RpcException ex)
        {
            status = StatusName(ex.StatusCode);
            detail = ex.Status.Detail;
        }

        var wall = Stopwatch.GetElapsedTime(started);
        _tally.Record(new CallOutcome(request.Plugin, request.Event.Name, phase, startedAt, deadline, wall, answered, status, detail));
    }

    /// <returns>False once <paramref name="stop"/> is cancelled: the caller is done.</returns>
    private static async Task<bool> PauseAsync(TimeSpan pause, CancellationToken stop)
    {
        try
        {
            await Task.Delay(pause, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The status as the wire contract spells it: DEADLINE_EXCEEDED rather than DeadlineExceeded.</summary>
    internal static string StatusName(StatusCode code)
    {
        var name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
