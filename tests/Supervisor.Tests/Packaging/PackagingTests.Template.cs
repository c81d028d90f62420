using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Packaging;

public sealed partial class PackagingTests
{
    private static readonly string[] HandlerForms = ["async", "sync", "json"];
    private const string TemplatePublished = "greeter-async";

    // The template's own publish compiles the plugin with the part of .NET it uses into one ReadyToRun composite
    // image, about a minute of CPU; the other two handler forms publish framework-dependent, since their handler
    // code, not the publish, is what they add.
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task Plugins_made_with_dotnet_new_on_the_packed_SDK_answer_through_a_real_supervisor()
    {
        var cancellationToken = testContext.CancellationToken;
        using var dir = new TempDirectory();
        var workspace = await PluginWorkspace.CreateAsync(dir, Feed, testContext.WriteLine, cancellationToken);
        var projects = new Dictionary<string, string>();
        foreach (var form in HandlerForms)
        {
            var name = "greeter-" + form;
            projects[name] = await workspace.NewPluginAsync(name, form, cancellationToken);
            Assert.AreEqual(Feed.Version, PluginWorkspace.SdkPackageVersion(projects[name]));
        }

        // Side by side: most of a publish is waiting (process start, restore, evaluation), not compiling.
        await Task.WhenAll(projects.Select(p => workspace.PublishAsync(p.Value, p.Key, "1.0.0", frameworkDependent: p.Key != TemplatePublished, cancellationToken)));
        var plugins = new JsonObject();
        foreach (var name in projects.Keys)
        {
            Assert.IsTrue(File.Exists(Path.Combine(workspace.PluginsRoot, name, "1.0.0", "plugin.json")), "plugin.json is published beside the binaries");
            Sdk.StartupDefaultsTests.AssertStartupDefaults(Path.Combine(workspace.PluginsRoot, name, "1.0.0"), name);
            if (name == TemplatePublished)
            {
                Sdk.StartupDefaultsTests.AssertTemplatePublishDefaults(Path.Combine(workspace.PluginsRoot, name, "1.0.0"), name);
            }

            plugins[name] = SupervisorConfig.Plugin("1.0.0");
        }

        Assert.IsTrue(Directory.Exists(Path.Combine(workspace.PackagesFolder, "pluginsupervisor.sdk", Feed.Version)), "the SDK came from the local feed");
        var protosRoot = await workspace.PropertyAsync(projects["greeter-async"], "PluginSupervisorProtosRoot", cancellationToken);
        Assert.IsTrue(File.Exists(Path.Combine(protosRoot, "supervisor", "plugin", "v1", "plugin.proto")), $"PluginSupervisorProtosRoot ('{protosRoot}') holds the contract");

        var config = SupervisorConfig.Create(dir, plugins);
        config["Supervisor"]!["PluginsRoot"] = workspace.PluginsRoot;
        await using var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(dir, config));
        using var channel = SupervisorChannel.Create(supervisor.EventsAddress);
        var events = new EventService.EventServiceClient(channel);

        var fromAsync = await DispatchAsync(events, "greeter-async", "greet", "world", cancellationToken);
        var fromSync = await DispatchAsync(events, "greeter-sync", "greet", "world", cancellationToken);
        var fromJson = await DispatchAsync(events, "greeter-json", "greet", """{"name":"world"}""", cancellationToken);
        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(() => DispatchAsync(events, "greeter-async", "wave", "", cancellationToken));

        Assert.AreEqual("Hello, world!", fromAsync.Payload.ToStringUtf8());
        Assert.AreEqual("1.0.0", fromAsync.PluginVersion);
        Assert.AreEqual("Hello, world!", fromSync.Payload.ToStringUtf8());
        using var json = JsonDocument.Parse(fromJson.Payload.Memory);
        Assert.AreEqual("Hello, world!", json.RootElement.GetProperty("reply").GetString());
        Assert.AreEqual(StatusCode.Unknown, unknown.StatusCode);
        StringAssert.Contains(unknown.Status.Detail, "System.NotSupportedException: event 'wave' is not handled");
    }

    private static Task<DispatchResponse> DispatchAsync(EventService.EventServiceClient events, string plugin, string name, string payload, CancellationToken cancellationToken) =>
        events.DispatchAsync(
            new DispatchRequest { Plugin = plugin, Event = new Event { Name = name, Payload = ByteString.CopyFromUtf8(payload) } },
            deadline: DateTime.UtcNow.Add(Wait.Default),
            cancellationToken: cancellationToken).ResponseAsync;
}
