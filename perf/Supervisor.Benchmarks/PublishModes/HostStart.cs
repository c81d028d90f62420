using System.Diagnostics;
using System.Net.Sockets;
using Supervisor.Benchmarks.Measurement;
using Supervisor.Benchmarks.Processes;
using Supervisor.Benchmarks.Scenarios;
using Supervisor.Protocol;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.PublishModes;

/// <summary>
/// One cold start of a host build, timed from the process start: until its events API accepts a connection
/// (listening), until it logs "Supervisor ready" (its plugins started), and until a first event came back through
/// it; then its resident memory once settled.
/// </summary>
internal static class HostStart
{
    // Fine enough for starts of a few hundred milliseconds, without a hot loop taking a core from the starting host.
    private static readonly TimeSpan ConnectPoll = TimeSpan.FromMilliseconds(1);
    // As the supervisor_rss_mb key: start-up garbage collected, first liveness polls run.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    internal sealed record Round(double ListeningMillis, double ReadyMillis, double FirstReplyMillis, double IdleRssMb);

    public static async Task<Round> MeasureAsync(HostBuild build, HostLaunch launch, string plugin, Event pluginEvent, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var host = SupervisorHostProcess.Launch(build.Executable, launch);
        try
        {
            var ready = host.WaitReadyAsync(SupervisorHostProcess.ReadyTimeout, cancellationToken);
            await WaitListeningAsync(launch.EventsSocket, ready, cancellationToken).ConfigureAwait(false);
            var listening = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await ready.ConfigureAwait(false);
            var readyMillis = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            using (var channel = SupervisorChannel.Create(launch.EventsAddress))
            {
                await EventsApiCaller.CreateAsync(build.Mode, channel, plugin, pluginEvent, cancellationToken).ConfigureAwait(false);
            }

            var firstReply = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            return new Round(listening, readyMillis, firstReply, ResidentMemory.MegabytesOf(host.Id));
        }
        finally
        {
            await SupervisorHostProcess.StopAsync(host).ConfigureAwait(false);
        }
    }

    /// <summary>Connects until the socket accepts; a host that fails before listening ends the wait through <paramref name="ready"/>.</summary>
    private static async Task WaitListeningAsync(string socketPath, Task ready, CancellationToken cancellationToken)
    {
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        while (true)
        {
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                try
                {
                    await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (SocketException)
                {
                    // Not bound yet (no file) or not listening yet (refused).
                }
            }

            if (ready.IsFaulted)
            {
                await ready.ConfigureAwait(false);
            }

            await Task.Delay(ConnectPoll, cancellationToken).ConfigureAwait(false);
        }
    }
}
