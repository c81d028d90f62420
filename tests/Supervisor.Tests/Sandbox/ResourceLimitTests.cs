using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;
using static Supervisor.Tests.TestAssets.TestEvents;

namespace Supervisor.Tests.Sandbox;

/// <summary>CpuLimit and MemoryLimitMb as the kernel enforces them through the instance's cgroup.</summary>
[TestClass]
public sealed class ResourceLimitTests
{
    [TestMethod]
    public async Task A_plugin_spinning_on_every_core_at_CpuLimit_half_uses_at_most_six_tenths_of_a_core()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("chaos", new PluginOptions { Version = "1.0.0", CpuLimit = 0.5, Deadline = TimeSpan.FromSeconds(30) }));
        var instance = supervisor.GetPlugin("chaos").Instances.Single();
        SandboxLayers.Require(instance, "cpu");

        // As many spinning handlers as cores: unlimited, they would take all of them.
        var spins = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => supervisor.DispatchAsync("chaos", Create("work", "3500")).AsTask()).ToList();
        await Wait.UntilAsync(() => supervisor.GetPlugin("chaos").Instances.Single().InFlight == spins.Count, "every spin to start");
        var before = Cpu(supervisor);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Wait.UntilAsync(() => clock.Elapsed >= TimeSpan.FromSeconds(3) || spins.Any(s => s.IsCompleted), "three seconds of spinning");
        var used = Cpu(supervisor) - before;
        var elapsed = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(spins).DefaultTimeout();

        Assert.IsLessThanOrEqualTo(0.6, used / elapsed, $"{used:0.00} CPU seconds over {elapsed:0.00} s");
        Assert.IsGreaterThan(0.2, used / elapsed, $"the plugin did spin: {used:0.00} CPU seconds over {elapsed:0.00} s");
    }

    [TestMethod]
    public async Task A_plugin_whose_child_allocates_past_MemoryLimitMb_is_killed_and_reported_memory()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("hostile", new PluginOptions { Version = "1.0.0", MemoryLimitMb = 150, LivenessInterval = TimeSpan.FromMilliseconds(200) }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("hostile"));
        var instance = supervisor.GetPlugin("hostile").Instances.Single();
        SandboxLayers.Require(instance, "memory");

        await supervisor.DispatchAsync("hostile", Create("child-alloc", "400")).AsTask().DefaultTimeout();

        var recycled = await events.WaitForAsync(e => e.InstanceId == instance.Id && e.Reason == "memory" && e.Type is LifecycleEventType.Recycling or LifecycleEventType.Killed, "the instance to be taken out for memory");
        StringAssert.Contains(recycled.Message, "MemoryLimitMb 150");
        await Wait.UntilAsync(() => !Posix.IsAlive(instance.Pid), "the instance to be stopped");
        await Wait.UntilAsync(() => supervisor.GetPlugin("hostile").Instances.Any(i => i.Id != instance.Id && i.State == InstanceState.Ready), "its replacement");
    }

    [TestMethod]
    public async Task A_plugin_that_forks_without_end_gets_no_more_than_MaxProcesses_and_keeps_serving()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("hostile", new PluginOptions { Version = "1.0.0", MaxProcesses = 80 }));
        var instance = supervisor.GetPlugin("hostile").Instances.Single();
        SandboxLayers.Require(instance, "processes");

        var reply = await supervisor.DispatchAsync("hostile", Create("spawn", "300")).AsTask().DefaultTimeout();
        var started = int.Parse(reply.Payload.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        var after = await supervisor.DispatchAsync("hostile", Create("whoami", string.Empty)).AsTask().DefaultTimeout();

        // The plugin's own threads count too: its children get what is left of the 80.
        Assert.IsLessThan(80, started, $"children started: {started}");
        Assert.AreEqual(instance.Id, after.InstanceId, "the instance kept serving");
    }

    [TestMethod]
    public async Task Usage_counts_the_memory_of_the_instance_and_its_children()
    {
        using var dir = new TempDirectory();
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("hostile", new PluginOptions { Version = "1.0.0" }));
        var before = supervisor.GetPlugin("hostile").Instances.Single().Usage;
        Assert.IsTrue(before.HasMemoryBytes && before.HasCpuSeconds, $"usage is known: {before}");

        await supervisor.DispatchAsync("hostile", Create("child-alloc", "200")).AsTask().DefaultTimeout();

        await Wait.UntilAsync(
            () => supervisor.GetPlugin("hostile").Instances.Single().Usage.MemoryBytes >= before.MemoryBytes + (150UL << 20),
            () => $"the child's 200 MB to show in the instance's memory (before {before.MemoryBytes >> 20} MB, now {supervisor.GetPlugin("hostile").Instances.Single().Usage.MemoryBytes >> 20} MB)");
    }

    private static double Cpu(PluginSupervisor supervisor) => supervisor.GetPlugin("chaos").Instances.Single().Usage.CpuSeconds;
}
