using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// One call's hold on one ready instance, handed out by selection. The router sends through it and reports how the
/// call ended; the instance's pool turns that report into counters, unrouting and hang checks.
/// </summary>
internal interface ICallLease
{
    /// <summary>Gets the version of the instance the call went to.</summary>
    string Version { get; }

    /// <summary>Gets the instance the call went to.</summary>
    string InstanceId { get; }

    /// <summary>Gets the instance in words, for error messages: plugin, version, instance id and pid.</summary>
    string Who { get; }

    /// <summary>Gets whether the plugin is configured idempotent: any failed call may be tried again.</summary>
    bool Idempotent { get; }

    /// <summary>Gets whether no connection to the instance existed when the call began, nor opened since: proof it was never sent.</summary>
    bool NothingCarried { get; }

    /// <summary>Gets how the process ended, once it has; <see langword="null"/> while it runs.</summary>
    string? Exit { get; }

    /// <summary>Calls the plugin's handler through the instance's bulkhead; the gRPC deadline ends the call at <paramref name="deadline"/>.</summary>
    ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, DateTime deadline, CancellationToken cancellationToken);

    /// <summary>Reports how the call ended; called once.</summary>
    /// <param name="outcome">What the caller was told, or that the call is tried elsewhere.</param>
    /// <param name="unreachable">The instance refused a connection: route nothing more to it.</param>
    /// <param name="deadline">The call's deadline, from which a hang check counts HangGrace.</param>
    /// <param name="elapsed">The call's time so far.</param>
    void Complete(CallOutcome outcome, bool unreachable, DateTime deadline, TimeSpan elapsed);
}
