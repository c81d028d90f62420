using System.Collections;
using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Configuration;

/// <summary>Values that used to pass validation and then failed, or did harm, once the supervisor ran.</summary>
[TestClass]
public sealed class ValidationBoundsTests
{
    private static readonly IDictionary NoEnvironment = new Hashtable();

    [TestMethod]
    [DataRow("loop")]
    [DataRow("folder")]
    public void An_unreadable_plugin_json_is_a_configuration_error_naming_the_file(string how)
    {
        using var dir = new TempDirectory();
        var manifest = UnreadableManifest(dir, how);
        var config = SupervisorConfig.Create(dir, new JsonObject { ["odd"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["PluginsRoot"] = dir.File("plugins");

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config), NoEnvironment));

        var problem = error.Errors.Single();
        Assert.AreEqual("Supervisor:Plugins:odd:Version", problem.Key);
        StringAssert.Contains(problem.Message, $"{manifest}: cannot be read");
    }

    [TestMethod]
    [DataRow("RestartDelay")]
    [DataRow("RestartMaxDelay")]
    [DataRow("Deadline")]
    [DataRow("HangGrace")]
    [DataRow("StartupTimeout")]
    [DataRow("DrainTimeout")]
    [DataRow("LivenessInterval")]
    [DataRow("Canary:Interval")]
    public void A_plugin_duration_over_a_day_is_refused_naming_the_key_the_value_and_the_maximum(string key)
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));
        var variable = "Supervisor__Plugins__echo__" + key.Replace(":", "__", StringComparison.Ordinal);

        // 50 days: past what Task.Delay and CancelAfter accept (about 49.7 days), so it used to end a loop at run time.
        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(
            () => SupervisorConfiguration.Load(path, new Hashtable { [variable] = "50.00:00:00" }));

        var problem = error.Errors.Single(e => e.Key == $"Supervisor:Plugins:echo:{key}");
        StringAssert.Contains(problem.Message, "at most 1.00:00:00");
        StringAssert.Contains(problem.Message, "got 50.00:00:00");
    }

    [TestMethod]
    public void A_shutdown_timeout_over_a_day_is_refused()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, new Hashtable { ["Supervisor__ShutdownTimeout"] = "2.00:00:00" }));

        Assert.AreEqual("Supervisor:ShutdownTimeout", error.Errors.Single().Key);
        StringAssert.Contains(error.Errors.Single().Message, "at most 1.00:00:00 (1 day), got 2.00:00:00");
    }

    [TestMethod]
    [DataRow("Events:Listen")]
    [DataRow("Admin:Listen")]
    public void A_unix_socket_path_over_107_bytes_is_refused_naming_the_key_and_the_length(string key)
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        var path = "/" + new string('s', 102) + ".sock"; // 108 bytes: one too many for sun_path and its NUL
        var section = key.Split(':')[0];
        config["Supervisor"]![section]!["Listen"] = "unix://" + path;

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config), NoEnvironment));

        var problem = error.Errors.Single();
        Assert.AreEqual($"Supervisor:{key}", problem.Key);
        StringAssert.Contains(problem.Message, "108 bytes");
        StringAssert.Contains(problem.Message, "at most 107 bytes");
    }

    [TestMethod]
    public void A_socket_path_of_exactly_107_bytes_is_accepted()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["Events"]!["Listen"] = "unix:///" + new string('s', 101) + ".sock";

        var options = SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config), NoEnvironment);

        Assert.AreEqual(107, ListenAddress.Parse(options.Events.Listen).SocketPath!.Length);
    }

    [TestMethod]
    public void A_runtime_directory_too_long_for_a_plugins_socket_is_refused_naming_the_key_and_the_length()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        // "/<90 x>/echo-xxxxxxxx.sock" is 91 + 19 = 110 bytes.
        var runtime = "/" + new string('r', 90);
        config["Supervisor"]!["RuntimeDirectory"] = runtime;

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config), NoEnvironment));

        var problem = error.Errors.Single();
        Assert.AreEqual("Supervisor:RuntimeDirectory", problem.Key);
        StringAssert.Contains(problem.Message, "110 bytes");
        StringAssert.Contains(problem.Message, "at most 107 bytes");
        Assert.IsFalse(Directory.Exists(runtime), "validation creates nothing");
    }

    [TestMethod]
    [DataRow("Supervisor__Events__MaxMessageBytes", "Supervisor:Events:MaxMessageBytes", "512")]
    [DataRow("Supervisor__Admin__MaxMessageBytes", "Supervisor:Admin:MaxMessageBytes", "1073741824")]
    [DataRow("Supervisor__Plugins__echo__MaxPayloadBytes", "Supervisor:Plugins:echo:MaxPayloadBytes", "0")]
    [DataRow("Supervisor__Events__MaxConcurrentStreams", "Supervisor:Events:MaxConcurrentStreams", "0")]
    public void Message_and_stream_limits_out_of_bounds_are_refused(string variable, string key, string value)
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, new Hashtable { [variable] = value }));

        Assert.AreEqual(key, error.Errors.Single().Key);
        StringAssert.Contains(error.Errors.Single().Message, $"got {value}");
    }

    [TestMethod]
    public void Message_and_stream_limits_default_to_4_MiB_and_4096_streams()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));

        var options = SupervisorConfiguration.Load(path, NoEnvironment);

        Assert.AreEqual(4 * 1024 * 1024, options.Events.MaxMessageBytes);
        Assert.AreEqual(4 * 1024 * 1024, options.Admin.MaxMessageBytes);
        Assert.AreEqual(4 * 1024 * 1024, options.Plugins["echo"].MaxPayloadBytes);
        Assert.AreEqual(4096, options.Events.MaxConcurrentStreams);
    }

    /// <summary>
    /// A <c>plugin.json</c> that exists but cannot be read. Tests run as root, for whom mode 0600 on another user's file
    /// is no obstacle; a symbolic link loop (ELOOP) or a folder in the file's place takes the same path: an I/O error.
    /// </summary>
    internal static string UnreadableManifest(TempDirectory dir, string how)
    {
        var folder = Path.Combine(dir.File("plugins"), "odd", "1.0.0");
        Directory.CreateDirectory(folder);
        var manifest = Path.Combine(folder, "plugin.json");
        if (how == "loop")
        {
            File.CreateSymbolicLink(manifest, Path.Combine(folder, "other.json"));
            File.CreateSymbolicLink(Path.Combine(folder, "other.json"), manifest);
        }
        else
        {
            Directory.CreateDirectory(manifest);
        }

        return manifest;
    }
}
