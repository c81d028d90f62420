using Polly;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>
/// What the product replaces: the echo handler in process, run with <see cref="Task.Run(Func{TResult})"/> under a
/// Polly v8 timeout strategy. Polly's timeout is cooperative (it only cancels the token), so the caller is
/// released at the deadline by <see cref="Task.WaitAsync(CancellationToken)"/>, a task-completion-source race
/// between the handler and the token; a handler that ignores the token keeps its thread whatever happens.
/// </summary>
internal sealed class InProcessPollyScenario : IScenario
{
    // Far beyond an echo's time: the timeout never fires, so the figures are the per-call cost of the pattern.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder().AddTimeout(Timeout).Build();
    private readonly HandleEventRequest _request;

    public InProcessPollyScenario(Event pluginEvent) => _request = new HandleEventRequest { Event = pluginEvent };

    public string Name => ScenarioNames.InProcessPollyTcs;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var reply = await _pipeline.ExecuteAsync(HandleAsync, _request, cancellationToken).ConfigureAwait(false);
        EchoEvent.Verify(Name, _request.Event, reply.Payload);
    }

    public ValueTask CallAsync()
    {
        var call = _pipeline.ExecuteAsync(HandleAsync, _request, CancellationToken.None);
        return call.IsCompletedSuccessfully ? default : new ValueTask(call.AsTask());
    }

    public ValueTask DisposeAsync() => default;

    private static async ValueTask<HandleEventResponse> HandleAsync(HandleEventRequest request, CancellationToken cancellationToken) =>
        await Task.Run(() => Echo(request), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);

    // The synchronous handler an in-process plugin host calls; it never looks at a token.
    private static HandleEventResponse Echo(HandleEventRequest request) =>
        new() { Payload = request.Event.Payload, ContentType = request.Event.ContentType };
}
