using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Observability;

/// <summary>The published supervisor's probes, Prometheus scrape, gRPC health and reflection, over real sockets.</summary>
[TestClass]
public sealed class MonitoringTests
{
    [TestMethod]
    public async Task Metrics_count_dispatches_by_plugin_version_and_outcome_and_kills_and_restarts_by_reason()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject
        {
            ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 2),
            ["chaos"] = SupervisorConfig.Plugin("1.0.0"),
        }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);
        using var monitoring = new MonitoringClient(supervisor.MonitoringAddress);

        for (var i = 0; i < 3; i++)
        {
            await events.DispatchAsync(new DispatchRequest { Plugin = "echo", Event = TestEvents.Create("x", "hi") }).ResponseAsync.DefaultTimeout();
        }

        await Assert.ThrowsExactlyAsync<RpcException>(() => events.DispatchAsync(new DispatchRequest { Plugin = "chaos", Event = TestEvents.Create("throw", "") }).ResponseAsync);
        var killed = await admin.KillInstanceAsync(new KillInstanceRequest { Plugin = "chaos" }).ResponseAsync.DefaultTimeout();
        var scrape = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                scrape = await monitoring.ScrapeAsync();
                return MonitoringClient.Sample(scrape, "supervisor_instance_restarts_total", "plugin_name=\"chaos\"", "reason=\"admin\"") is 1;
            },
            "the admin kill's restart in the scrape");

        Assert.AreEqual(3, MonitoringClient.Sample(scrape, "supervisor_dispatches_total", "plugin_name=\"echo\"", "plugin_version=\"1.0.0\"", "dispatch_outcome=\"ok\""), scrape);
        Assert.AreEqual(1, MonitoringClient.Sample(scrape, "supervisor_dispatches_total", "plugin_name=\"chaos\"", "dispatch_outcome=\"handler_failed\""), scrape);
        Assert.AreEqual(3, MonitoringClient.Sample(scrape, "supervisor_dispatch_duration_seconds_count", "plugin_name=\"echo\"", "dispatch_outcome=\"ok\""), scrape);
        Assert.AreEqual(3, MonitoringClient.Sample(scrape, "supervisor_dispatch_duration_seconds_bucket", "plugin_name=\"echo\"", "le=\"30\""), "the explicit buckets reach 30 s");
        Assert.IsNotNull(MonitoringClient.Sample(scrape, "supervisor_dispatch_duration_seconds_bucket", "plugin_name=\"echo\"", "le=\"0.0001\""), "the explicit buckets start at 100 µs");
        Assert.AreEqual(1, MonitoringClient.Sample(scrape, "supervisor_instance_kills_total", "plugin_name=\"chaos\"", "reason=\"admin\""), scrape);
        Assert.AreEqual(2, MonitoringClient.Sample(scrape, "supervisor_instances", "plugin_name=\"echo\"", "instance_state=\"ready\""), scrape);
        Assert.AreEqual(0, MonitoringClient.Sample(scrape, "supervisor_dispatch_active", "plugin_name=\"echo\""), scrape);
        Assert.AreEqual(0, MonitoringClient.Sample(scrape, "supervisor_plugin_quarantined", "plugin_name=\"chaos\""), scrape);
        var echoInstance = (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" })).Plugin.Instances[0].Id;
        Assert.IsGreaterThan(1_000_000, MonitoringClient.Sample(scrape, "supervisor_instance_memory_usage_bytes", $"instance_id=\"{echoInstance}\"") ?? 0, "each instance's memory, counting descendants");
        Assert.IsGreaterThan(0, MonitoringClient.Sample(scrape, "supervisor_instance_cpu_time_seconds_total", $"instance_id=\"{echoInstance}\"") ?? 0, "each instance's CPU seconds");
        Assert.HasCount(1, killed.KilledInstanceIds);
    }

    [TestMethod]
    public async Task Readiness_and_grpc_health_flip_while_a_plugin_is_quarantined_and_liveness_does_not()
    {
        using var dir = new TempDirectory();
        var chaos = SupervisorConfig.Plugin("1.0.0");
        chaos["MaxRestarts"] = 1;
        chaos["RestartDelay"] = "00:00:00.050";
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject
        {
            ["echo"] = SupervisorConfig.Plugin("1.0.0"),
            ["chaos"] = chaos,
        }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);
        var health = new Health.HealthClient(channel);
        using var adminChannel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(adminChannel);
        using var monitoring = new MonitoringClient(supervisor.MonitoringAddress);
        await Wait.UntilAsync(async () => (await monitoring.ProbeAsync("/readyz")).Status == HttpStatusCode.OK, "readiness once every plugin is up");
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "chaos" })).Status);

        // Two crashes inside RestartWindow with MaxRestarts 1: quarantine.
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await events.DispatchAsync(new DispatchRequest { Plugin = "chaos", Event = TestEvents.Create("crash", "") }, deadline: DateTime.UtcNow.AddSeconds(5));
                }
                catch (RpcException)
                {
                    // Each crash ends its call; a call during the restart is refused.
                }

                return (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "chaos" })).Plugin.State == PluginState.Quarantined;
            },
            "chaos to be quarantined");

        var (notReady, body) = await monitoring.ProbeAsync("/readyz");
        var (live, _) = await monitoring.ProbeAsync("/healthz");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, notReady);
        Assert.AreEqual("Unhealthy", body["checks"]!["chaos"]!["status"]!.GetValue<string>());
        StringAssert.StartsWith(body["checks"]!["chaos"]!["description"]!.GetValue<string>(), "quarantined:");
        Assert.AreEqual("Healthy", body["checks"]!["echo"]!["status"]!.GetValue<string>());
        Assert.AreEqual(HttpStatusCode.OK, live, "liveness stays up: a quarantined plugin is no reason to restart the supervisor");
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "chaos" })).Status);
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = string.Empty })).Status);
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "echo" })).Status);
        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "nope" }).ResponseAsync);
        Assert.AreEqual(StatusCode.NotFound, unknown.StatusCode);

        await admin.RestartPluginAsync(new RestartPluginRequest { Plugin = "chaos" }).ResponseAsync.DefaultTimeout();
        await Wait.UntilAsync(async () => (await monitoring.ProbeAsync("/readyz")).Status == HttpStatusCode.OK, "readiness once the quarantine is lifted");
    }

    [TestMethod]
    public async Task Reflection_lists_the_services_each_listener_serves()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(config);

        var eventServices = await ListServicesAsync(supervisor.EventsAddress);
        var adminServices = await ListServicesAsync(supervisor.AdminAddress);

        CollectionAssert.IsSubsetOf(new[] { "supervisor.events.v1.EventService", "grpc.health.v1.Health" }, eventServices);
        CollectionAssert.DoesNotContain(eventServices, "supervisor.admin.v1.AdminService", "an admin call can never reach the events listener");
        CollectionAssert.IsSubsetOf(new[] { "supervisor.admin.v1.AdminService", "grpc.health.v1.Health" }, adminServices);
    }

    private static async Task<List<string>> ListServicesAsync(string address)
    {
        using var channel = SupervisorChannel.Create(address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.IsTrue(await call.ResponseStream.MoveNext(CancellationToken.None));
        return [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];
    }
}
