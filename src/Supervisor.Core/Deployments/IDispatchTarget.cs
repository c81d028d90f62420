using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>What the router sends a call to: a plugin, which leases one of its instances for each attempt.</summary>
internal interface IDispatchTarget
{
    /// <summary>Gets the plugin's name.</summary>
    string Name { get; }

    /// <summary>Gets the version that serves calls, against which a call no instance took is counted.</summary>
    string ActiveVersion { get; }

    /// <summary>
    /// Leases an instance for one attempt of a call. With none ready, waits for one that is starting or restarting
    /// and can be ready before <paramref name="deadline"/>; refuses at once when nothing can serve the call in time.
    /// </summary>
    /// <param name="excludeInstanceId">An instance that just failed the call in a way that is safe to retry; another is preferred.</param>
    /// <param name="deadline">The call's deadline (UTC).</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <exception cref="CallRefusedException">No instance can take the call; counted against the active version.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled while the call waited.</exception>
    ValueTask<ICallLease> AcquireAsync(string? excludeInstanceId, DateTime deadline, CancellationToken cancellationToken);
}
