using System.Net.Sockets;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>The events listener's transport lets calls through to the bulkhead, which decides.</summary>
[TestClass]
public sealed class EventsTransportTests
{
    private const int Calls = 300;

    [TestMethod]
    public async Task Three_hundred_calls_on_one_connection_all_reach_the_plugins_bulkhead()
    {
        using var dir = new TempDirectory();
        var chaos = SupervisorConfig.Plugin("1.0.0");
        chaos["MaxConcurrency"] = 4;
        chaos["QueueLimit"] = 400;
        await using var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["chaos"] = chaos })));
        using var events = OneConnection(supervisor.EventsAddress);
        using var admin = supervisor.AdminChannel();
        var client = new EventService.EventServiceClient(events);
        var adminClient = new AdminService.AdminServiceClient(admin);
        using var end = new CancellationTokenSource();
        var succeeded = 0;
        var failed = new List<RpcException>();
        var deadline = DateTime.UtcNow.AddSeconds(20);

        var calls = Enumerable.Range(0, Calls).Select(async _ =>
        {
            try
            {
                await client.DispatchAsync(new DispatchRequest { Plugin = "chaos", Event = TestEvents.Create("sleep", "3000") }, deadline: deadline, cancellationToken: end.Token);
                Interlocked.Increment(ref succeeded);
            }
            catch (RpcException ex) when (!end.IsCancellationRequested)
            {
                lock (failed)
                {
                    failed.Add(ex);
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
                // The test ends the calls it no longer needs.
            }
        }).ToList();

        // Four run at a time for 3 s each, so a few finish while the rest arrive: a call counts once it has reached
        // the bulkhead, in flight there or answered. Before the transport was sized, 100 streams per connection
        // held the rest in the client, where no bulkhead saw them.
        var reached = 0L;
        try
        {
            await Wait.UntilAsync(
                async () =>
                {
                    var plugin = (await adminClient.GetPluginAsync(new GetPluginRequest { Plugin = "chaos" })).Plugin;
                    reached = plugin.Instances.Sum(i => (long)i.InFlight) + Volatile.Read(ref succeeded);
                    return reached >= Calls || failed.Count > 0;
                },
                $"all {Calls} calls to reach the bulkhead",
                TimeSpan.FromSeconds(15));
        }
        finally
        {
            await end.CancelAsync();
            await Task.WhenAll(calls).DefaultTimeout();
        }

        Assert.IsEmpty(failed, string.Join(Environment.NewLine, failed.Select(f => f.Status.ToString())));
        Assert.AreEqual(Calls, reached);
        await Wait.UntilAsync(
            async () => (await adminClient.GetPluginAsync(new GetPluginRequest { Plugin = "chaos" })).Plugin.Instances.Sum(i => i.InFlight) == 0,
            "the cancelled calls to end in the plugin");
    }

    // One HTTP/2 connection, as a client that multiplexes its calls has: SupervisorChannel would open more.
    private static GrpcChannel OneConnection(string address)
    {
        var socketPath = address["unix://".Length..];
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
