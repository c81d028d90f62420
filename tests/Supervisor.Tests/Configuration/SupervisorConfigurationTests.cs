using System.Collections;
using System.Text.Json.Nodes;
using Supervisor.Configuration;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Configuration;

[TestClass]
public sealed class SupervisorConfigurationTests
{
    private static readonly IDictionary NoEnvironment = new Hashtable();

    [TestMethod]
    public void A_valid_file_loads_with_defaults_and_paths_resolved_against_its_folder()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 2) });
        config["Supervisor"]!["StateDirectory"] = "state";
        var path = SupervisorConfig.Write(dir, config);

        var options = SupervisorConfiguration.Load(path, NoEnvironment);

        Assert.AreEqual(Path.Combine(dir.Path, "state"), options.StateDirectory);
        var echo = options.Plugins["echo"];
        Assert.AreEqual(2, echo.Instances);
        Assert.AreEqual(TimeSpan.FromSeconds(1), echo.HangGrace);
        Assert.AreEqual(TimeSpan.FromMilliseconds(100), echo.RestartDelay);
        Assert.AreEqual(5, echo.MaxRestarts);
    }

    [TestMethod]
    public void An_environment_variable_overrides_the_file()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));

        var options = SupervisorConfiguration.Load(path, new Hashtable { ["Supervisor__Plugins__echo__Instances"] = "3" });

        Assert.AreEqual(3, options.Plugins["echo"].Instances);
    }

    [TestMethod]
    public void An_out_of_range_value_names_the_key_and_the_file()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0", instances: 0) }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        var problem = error.Errors.Single();
        Assert.AreEqual("Supervisor:Plugins:echo:Instances", problem.Key);
        Assert.AreEqual(path, problem.Source);
        StringAssert.Contains(error.Message, "Supervisor:Plugins:echo:Instances");
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void Canary_steps_load_as_written_and_bad_ones_name_the_step()
    {
        using var dir = new TempDirectory();
        var good = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        good["Supervisor"]!["Plugins"]!["echo"]!["Canary"] = new JsonObject { ["Steps"] = new JsonArray(5, 25, 75), ["Interval"] = "00:00:02" };
        var bad = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        bad["Supervisor"]!["Plugins"]!["echo"]!["Canary"] = new JsonObject { ["Steps"] = new JsonArray(50, 20, 100), ["MaxFailureRate"] = 5 };

        var options = SupervisorConfiguration.Load(SupervisorConfig.Write(dir, good, "good.json"), NoEnvironment);
        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, bad, "bad.json"), NoEnvironment));

        CollectionAssert.AreEqual(new[] { 5, 25, 75 }, options.Plugins["echo"].Canary.Steps);
        Assert.AreEqual(TimeSpan.FromSeconds(2), options.Plugins["echo"].Canary.Interval);
        CollectionAssert.AreEquivalent(
            new[] { "Supervisor:Plugins:echo:Canary:Steps:1", "Supervisor:Plugins:echo:Canary:Steps:2", "Supervisor:Plugins:echo:Canary:MaxFailureRate" },
            error.Errors.Select(e => e.Key).ToList());
    }

    [TestMethod]
    [DataRow("unix:///tmp/metrics.sock", "is a Unix socket")]
    [DataRow("http://127.0.0.1:7070", "is the same address as Events:Listen")]
    [DataRow("tcp://0.0.0.0:9464", "unknown scheme")]
    public void A_monitoring_address_Prometheus_and_probes_cannot_use_is_refused(string listen, string expected)
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["Events"]!["Listen"] = "http://127.0.0.1:7070";
        config["Supervisor"]!["Monitoring"]!["Listen"] = listen;

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config), NoEnvironment));

        var problem = error.Errors.Single();
        Assert.AreEqual("Supervisor:Monitoring:Listen", problem.Key);
        StringAssert.Contains(problem.Message, expected);
    }

    [TestMethod]
    public void Port_zero_on_two_listeners_is_no_clash_and_an_empty_monitoring_address_turns_it_off()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["Events"]!["Listen"] = "http://127.0.0.1:0";
        config["Supervisor"]!["Monitoring"]!["Listen"] = "http://127.0.0.1:0";
        var off = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        off["Supervisor"]!["Monitoring"]!["Listen"] = string.Empty;

        var both = SupervisorConfiguration.Load(SupervisorConfig.Write(dir, config, "both.json"), NoEnvironment);
        var disabled = SupervisorConfiguration.Load(SupervisorConfig.Write(dir, off, "off.json"), NoEnvironment);

        Assert.IsTrue(both.Monitoring.Enabled);
        Assert.IsFalse(disabled.Monitoring.Enabled);
    }

    [TestMethod]
    public void A_bad_value_from_the_environment_names_the_variable()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(
            () => SupervisorConfiguration.Load(path, new Hashtable { ["Supervisor__Plugins__echo__MaxConcurrency"] = "-1" }));

        Assert.AreEqual("environment variable Supervisor__Plugins__echo__MaxConcurrency", error.Errors.Single().Source);
    }

    [TestMethod]
    public void A_value_of_the_wrong_type_names_the_key()
    {
        using var dir = new TempDirectory();
        var plugin = SupervisorConfig.Plugin("1.0.0");
        plugin["Deadline"] = "five seconds";
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = plugin }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        Assert.AreEqual("Supervisor:Plugins:echo:Deadline", error.Errors.Single().Key);
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void A_misspelled_key_is_an_error_not_silently_ignored()
    {
        using var dir = new TempDirectory();
        var plugin = SupervisorConfig.Plugin("1.0.0");
        plugin["Instanses"] = 2;
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = plugin }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        StringAssert.Contains(error.Message, "Instanses");
    }

    [TestMethod]
    public void A_version_that_is_not_on_disk_names_the_path_looked_at()
    {
        using var dir = new TempDirectory();
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("9.9.9") }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        Assert.AreEqual("Supervisor:Plugins:echo:Version", error.Errors.Single().Key);
        StringAssert.Contains(error.Message, Path.Combine(Repository.PluginsRoot, "echo", "9.9.9", "plugin.json"));
    }

    [TestMethod]
    public void An_admin_listener_on_TCP_without_a_token_is_refused()
    {
        using var dir = new TempDirectory();
        var config = SupervisorConfig.Create(dir, new JsonObject { ["echo"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["Admin"] = new JsonObject { ["Listen"] = "http://127.0.0.1:0" };
        var path = SupervisorConfig.Write(dir, config);

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        Assert.AreEqual("Supervisor:Admin:Token", error.Errors.Single().Key);
    }

    [TestMethod]
    public void Every_problem_is_reported_at_once()
    {
        using var dir = new TempDirectory();
        var plugin = SupervisorConfig.Plugin("1.0.0", instances: 0);
        plugin["MaxConcurrency"] = 0;
        plugin["StartupTimeout"] = "00:00:00";
        var path = SupervisorConfig.Write(dir, SupervisorConfig.Create(dir, new JsonObject { ["echo"] = plugin }));

        var error = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));

        CollectionAssert.AreEquivalent(
            new[] { "Supervisor:Plugins:echo:Instances", "Supervisor:Plugins:echo:MaxConcurrency", "Supervisor:Plugins:echo:StartupTimeout" },
            error.Errors.Select(e => e.Key).ToArray());
    }

    [TestMethod]
    public void Malformed_JSON_and_a_missing_file_name_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("supervisor.json");
        File.WriteAllText(path, "{ \"Supervisor\": { ");

        var malformed = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(path, NoEnvironment));
        var missing = Assert.ThrowsExactly<SupervisorConfigurationException>(() => SupervisorConfiguration.Load(dir.File("nope.json"), NoEnvironment));

        StringAssert.Contains(malformed.Message, path);
        StringAssert.Contains(missing.Message, dir.File("nope.json"));
    }
}
