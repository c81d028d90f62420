using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.LiveOperations;

/// <summary>ScalePlugin on the published <c>supervisor</c>: live, persisted, and overruled by a changed configuration.</summary>
[TestClass]
public sealed class ScalePluginTests
{
    [TestMethod]
    public async Task A_scale_is_applied_live_and_kept_by_a_restarted_supervisor_until_the_files_Instances_changes()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 1) });
        var path = SupervisorConfig.Write(dir, config);
        await using (var supervisor = await SupervisorProcess.StartAsync(path))
        {
            using var channel = supervisor.AdminChannel();
            var admin = new AdminService.AdminServiceClient(channel);

            var scaled = await admin.ScalePluginAsync(new ScalePluginRequest { Plugin = "echo", Instances = 3 }).ResponseAsync.DefaultTimeout();

            Assert.AreEqual(1u, scaled.PreviousInstances);
            await Wait.UntilAsync(async () => await ReadyAsync(admin) == 3, "three ready instances after the scale up");
            await admin.ScalePluginAsync(new ScalePluginRequest { Plugin = "echo", Instances = 2 }).ResponseAsync.DefaultTimeout();
            await Wait.UntilAsync(async () => (await InfoAsync(admin)).Instances.Count == 2, "the third instance retired after the scale down");
        }

        await using (var restarted = await SupervisorProcess.StartAsync(path))
        {
            using var channel = restarted.AdminChannel();
            var admin = new AdminService.AdminServiceClient(channel);
            await Wait.UntilAsync(async () => await ReadyAsync(admin) == 2, "the persisted scale (2) after a restart");
            Assert.AreEqual(2u, (await InfoAsync(admin)).DesiredInstances);
        }

        config["Supervisor"]!["Plugins"]!["echo"]!["Instances"] = 4;
        SupervisorConfig.Write(dir, config);
        await using (var reconfigured = await SupervisorProcess.StartAsync(path))
        {
            using var channel = reconfigured.AdminChannel();
            var admin = new AdminService.AdminServiceClient(channel);
            await Wait.UntilAsync(async () => await ReadyAsync(admin) == 4, "the file's new Instances (4), which wins over the old scale");
        }
    }

    [TestMethod]
    public async Task A_scale_outside_the_range_or_of_an_unknown_plugin_is_refused()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        await using var supervisor = await SupervisorProcess.StartAsync(path);
        using var channel = supervisor.AdminChannel();
        var admin = new AdminService.AdminServiceClient(channel);

        var zero = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.ScalePluginAsync(new ScalePluginRequest { Plugin = "echo", Instances = 0 }).ResponseAsync.DefaultTimeout());
        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(() => admin.ScalePluginAsync(new ScalePluginRequest { Plugin = "nope", Instances = 2 }).ResponseAsync.DefaultTimeout());

        Assert.AreEqual(StatusCode.InvalidArgument, zero.StatusCode);
        StringAssert.Contains(zero.Status.Detail, "between 1 and 256");
        Assert.AreEqual(StatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual(1u, (await InfoAsync(admin)).DesiredInstances);
    }

    private static async Task<PluginInfo> InfoAsync(AdminService.AdminServiceClient admin) =>
        (await admin.GetPluginAsync(new GetPluginRequest { Plugin = "echo" }).ResponseAsync).Plugin;

    private static async Task<int> ReadyAsync(AdminService.AdminServiceClient admin) =>
        (await InfoAsync(admin)).Instances.Count(i => i.State == InstanceState.Ready);
}
