using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Routing;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deployments;

/// <summary>
/// <c>plugin.json</c>'s <c>sha256</c>: a binary that does not match is never run, at start, at a restart, or by a roll.
/// </summary>
[TestClass]
public sealed class PinnedBinaryTests
{
    [TestMethod]
    public void A_configured_version_whose_binary_does_not_match_its_pin_is_a_configuration_error_naming_the_file_and_both_hashes()
    {
        using var dir = new TempDirectory();
        var (folder, binary) = PinnedEcho(dir, "1.0.0");
        var actual = Sha256Of(binary);
        var wrong = new string('0', 64);
        Pin(folder, wrong);

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() =>
            new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0" }))));

        StringAssert.Contains(error.Message, "Supervisor:Plugins:echo:Version");
        StringAssert.Contains(error.Message, $"{binary} does not match the sha256 pinned in {Path.Combine(folder, "plugin.json")}: expected {wrong}, actual {actual}");
    }

    [TestMethod]
    public async Task A_binary_replaced_under_a_running_version_is_refused_at_its_restart_and_quarantined_until_it_matches_again()
    {
        using var dir = new TempDirectory();
        var (folder, binary) = PinnedEcho(dir, "1.0.0");
        var expected = Sha256Of(binary);
        Pin(folder, expected);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0", RestartDelay = TimeSpan.FromMilliseconds(50) }));
        await using var events = new LifecycleLog(supervisor.WatchEventsAsync("echo"));
        var original = File.ReadAllBytes(binary);

        // Replaced by rename (a running executable cannot be written in place); trailing bytes leave it runnable, so
        // only the pin can tell it is not the build that was pinned.
        Replace(binary, [.. original, .. "tampered"u8]);
        var actual = Sha256Of(binary);
        supervisor.KillInstance("echo");

        var refused = await events.WaitForAsync(e => e.Type == LifecycleEventType.StartFailed, "the restart to be refused");
        Assert.AreEqual("pinned", refused.Reason);
        StringAssert.Contains(refused.Message, $"{binary} does not match the sha256 pinned in {Path.Combine(folder, "plugin.json")}: expected {expected}, actual {actual}");
        var quarantined = await events.WaitForAsync(e => e.Type == LifecycleEventType.Quarantined, "the plugin to be quarantined");
        Assert.AreEqual("pinned", quarantined.Reason);
        var call = await Assert.ThrowsExactlyAsync<DispatchException>(() => supervisor.DispatchAsync("echo", TestEvents.Create("e", "x")).AsTask()).DefaultTimeout();
        Assert.AreEqual(DispatchError.Unavailable, call.Error);
        StringAssert.Contains(call.Message, actual);
        Assert.AreEqual(1, events.All.Count(e => e.Type == LifecycleEventType.StartFailed), "a refused start is not retried: " + events.Describe());

        Replace(binary, original);
        supervisor.RestartPlugin("echo");
        await Wait.UntilAsync(() => supervisor.GetPlugin("echo").Instances.Any(i => i.State == InstanceState.Ready), "a ready instance once the right binary is back");
        var reply = await supervisor.DispatchAsync("echo", TestEvents.Create("e", "back")).AsTask().DefaultTimeout();
        Assert.AreEqual("back", reply.Payload.ToStringUtf8());
    }

    [TestMethod]
    public async Task A_roll_to_a_version_whose_binary_does_not_match_its_pin_aborts_and_the_old_version_keeps_serving()
    {
        using var dir = new TempDirectory();
        PinnedEcho(dir, "1.0.0");
        var (folder, binary) = PinnedEcho(dir, "2.0.0");
        var wrong = new string('a', 64);
        Pin(folder, wrong);
        await using var supervisor = await EmbeddedSupervisor.StartAsync(dir, ("echo", new PluginOptions { Version = "1.0.0" }));

        var error = await Assert.ThrowsExactlyAsync<RollException>(() => supervisor.RollPluginAsync("echo", "2.0.0", wait: true)).DefaultTimeout();

        Assert.AreEqual(RollError.InvalidVersion, error.Error);
        StringAssert.Contains(error.Message, $"{binary} does not match the sha256 pinned in {Path.Combine(folder, "plugin.json")}: expected {wrong}, actual {Sha256Of(binary)}");
        var reply = await supervisor.DispatchAsync("echo", TestEvents.Create("e", "x")).AsTask().DefaultTimeout();
        Assert.AreEqual("1.0.0", reply.PluginVersion);
        Assert.AreEqual("1.0.0", supervisor.GetPlugin("echo").ActiveVersion);
    }

    [TestMethod]
    public void A_cached_hash_is_not_reused_once_the_file_is_rewritten_in_place_or_replaced()
    {
        using var dir = new TempDirectory();
        var file = dir.File("binary");
        File.WriteAllText(file, "first build");

        // A clock a minute ahead: every change looks settled, so each hash is cached.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1));
        var first = CommandPin.Hash(file, later);
        Assert.AreEqual(Sha256Of(file), first);
        Assert.AreSame(first, CommandPin.Hash(file, later), "an unchanged file's hash is reused");

        // Same size, and the mtime set back: only the ctime (which nothing can set back) tells the content changed.
        var mtime = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "other build");
        File.SetLastWriteTimeUtc(file, mtime);
        Assert.AreEqual(Sha256Of(file), CommandPin.Hash(file, later));

        var replacement = dir.File("binary.new");
        File.WriteAllText(replacement, "third build");
        File.Move(replacement, file, overwrite: true);
        Assert.AreEqual(Sha256Of(file), CommandPin.Hash(file, later));
    }

    /// <summary>An echo version whose command is a copy of the published build, so a test can change or pin it.</summary>
    private static (string Folder, string Binary) PinnedEcho(TempDirectory dir, string version)
    {
        var folder = Path.Combine(dir.File("plugins"), "echo", version);
        Directory.CreateDirectory(folder);
        Repository.CopyPluginBuild("echo", version, folder);
        File.Copy(Path.Combine(Repository.PluginsRoot, "echo", version, "plugin.json"), Path.Combine(folder, "plugin.json"));
        return (folder, Path.Combine(folder, "echo"));
    }

    private static void Pin(string folder, string sha256)
    {
        var manifest = Path.Combine(folder, "plugin.json");
        var json = File.ReadAllText(manifest).TrimEnd();
        File.WriteAllText(manifest, json[..json.LastIndexOf('}')].TrimEnd() + $",\n  \"sha256\": \"{sha256}\"\n}}\n");
    }

    private static void Replace(string file, byte[] content)
    {
        var staged = file + ".new";
        File.WriteAllBytes(staged, content);
        File.SetUnixFileMode(staged, File.GetUnixFileMode(file));
        File.Move(staged, file, overwrite: true);
    }

    internal static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
