using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Supervisor.Protocol;

namespace Supervisor.Cli.Commands;

/// <summary>Opens a channel, makes one call, and turns failures into a message and an exit code.</summary>
internal static class CallRunner
{
    public static async Task<int> RunAsync(string address, string? token, Func<GrpcChannel, Task<int>> call)
    {
        GrpcChannel channel;
        try
        {
            channel = SupervisorChannel.Create(address, token);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using (channel)
        {
            try
            {
                return await call(channel).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ex.Status.DebugException is not null)
            {
                await Console.Error.WriteLineAsync($"error: cannot reach the supervisor at {address}: {ex.Status.DebugException.Message}").ConfigureAwait(false);
                return ExitCodes.Unreachable;
            }
            catch (RpcException ex)
            {
                // A deadline enforced on this side carries no detail from the server.
                var detail = ex.Status.Detail.Length > 0 ? ex.Status.Detail
                    : ex.StatusCode == StatusCode.DeadlineExceeded ? "the deadline passed before the supervisor answered"
                    : "no detail";
                await Console.Error.WriteLineAsync($"error: {ex.StatusCode}: {detail}").ConfigureAwait(false);
                return ExitCodes.CallFailed;
            }
        }
    }

    public static void PrintJson(IMessage message) => Console.WriteLine(JsonFormatter.Default.Format(message));
}
