using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Supervisor.Instances;

namespace Supervisor.Supervision;

/// <summary>
/// Takes one instance out of service: its in-flight calls finish (until the drain deadline), then the plugin is
/// asked to shut down (when <c>graceful</c>), and whatever is still running is killed, whole process group.
/// </summary>
internal static class InstanceShutdown
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ShutdownCallBudget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ExitAfterShutdown = TimeSpan.FromSeconds(2);

    // onKill runs just before SIGKILL is sent, so the kill is reported with its reason.
    public static async Task RunAsync(PluginInstance instance, DateTimeOffset drainDeadline, bool graceful, TimeProvider time, Action onKill, CancellationToken cancellationToken)
    {
        var process = instance.Process;
        try
        {
            while (instance.InFlight > 0 && time.GetUtcNow() < drainDeadline && !process.Exited.IsCompleted)
            {
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }

            if (graceful && !process.Exited.IsCompleted && instance.IsConnected)
            {
                // Handlers whose callers were already answered (past their deadline) are not worth waiting for.
                var grace = instance.InFlight == 0 ? TimeSpan.Zero : Max(drainDeadline - time.GetUtcNow(), TimeSpan.Zero);
                await RequestShutdownAsync(instance, grace, time, cancellationToken).ConfigureAwait(false);
                await WaitExitAsync(process.Exited, grace + ExitAfterShutdown, time, cancellationToken).ConfigureAwait(false);
            }

            if (!process.Exited.IsCompleted)
            {
                onKill();
                process.CloseStdin();
                process.Kill();
            }

            await WaitExitAsync(process.Exited, ExitAfterShutdown, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (!process.Exited.IsCompleted)
            {
                onKill();
                process.Kill();
            }
        }
    }

    private static async Task RequestShutdownAsync(PluginInstance instance, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await instance.Client.ShutdownAsync(
                new Protocol.Plugin.V1.ShutdownRequest { Grace = Duration.FromTimeSpan(grace) },
                new CallOptions(deadline: time.GetUtcNow().UtcDateTime + ShutdownCallBudget, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The process is already going, or not answering; the kill handles both.
        }
    }

    private static async Task WaitExitAsync(Task exited, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await exited.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The caller decides what a process that is still running means.
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
