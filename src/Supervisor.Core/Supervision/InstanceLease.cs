using Supervisor.Instances;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Supervision;

/// <summary>A lease on one instance of an <see cref="InstancePool"/>, for one attempt of one call.</summary>
internal sealed class InstanceLease(InstancePool pool, PluginInstance instance) : ICallLease
{
    private readonly ConnectionTracker.Snapshot _connectionsAtStart = instance.Connections.Take();

    public string Version => instance.Version;

    public string InstanceId => instance.Id;

    public string Who => $"plugin '{pool.Name}' {instance.Version} (instance {instance.Id}, pid {instance.Process.Pid})";

    public bool Idempotent => pool.Options.Idempotent;

    public bool NothingCarried => instance.Connections.NothingCarried(_connectionsAtStart);

    public string? Exit => instance.Process.Exited.IsCompletedSuccessfully ? instance.Process.Exited.Result.ToString() : null;

    public ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, DateTime deadline, CancellationToken cancellationToken) =>
        instance.HandleEventAsync(request, deadline, cancellationToken);

    public void Complete(CallOutcome outcome, bool unreachable, DateTime deadline, TimeSpan elapsed) =>
        pool.Complete(instance, outcome, unreachable, deadline, elapsed);
}
