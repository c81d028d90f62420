using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Instances;

namespace Supervisor.Supervision;

/// <summary>
/// Ends one instance gracefully: its in-flight calls finish (until <c>deadline</c>), the plugin is asked to
/// shut down, and whatever is still running afterwards is killed. Nothing outlives the supervisor.
/// </summary>
internal static partial class InstanceShutdown
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ShutdownCallBudget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ExitAfterShutdown = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(PluginInstance instance, DateTimeOffset deadline, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var process = instance.Process;
        using var scope = logger.BeginScope(process.LogScope);
        try
        {
            while (instance.InFlight > 0 && time.GetUtcNow() < deadline && !process.Exited.IsCompleted)
            {
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }

            if (!process.Exited.IsCompleted && instance.IsConnected)
            {
                // Handlers whose callers were already answered (past their deadline) are not worth waiting for.
                var grace = instance.InFlight == 0 ? TimeSpan.Zero : Max(deadline - time.GetUtcNow(), TimeSpan.Zero);
                await RequestShutdownAsync(instance, grace, time, cancellationToken).ConfigureAwait(false);
                await WaitExitAsync(process.Exited, grace + ExitAfterShutdown, time, cancellationToken).ConfigureAwait(false);
            }

            if (!process.Exited.IsCompleted)
            {
                // Closing stdin is what a SIGKILLed supervisor would do; the kill covers a plugin that ignores it.
                process.CloseStdin();
                LogStraggler(logger);
                process.Kill();
            }

            await WaitExitAsync(process.Exited, ExitAfterShutdown, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
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
            // The process is already going, or not answering; the kill below handles both.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still running after its shutdown grace; sending SIGKILL")]
    private static partial void LogStraggler(ILogger logger);
}
