using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Conformance;

/// <summary>
/// The conformance plugin each SDK publishes as <c>artifacts/plugins/conformance-&lt;sdk&gt;/1.0.0/</c>
/// (docs/protocol.md, "Conformance"). A missing one fails the test saying how to publish it: an SDK that was not
/// built has not passed.
/// </summary>
internal static class ConformancePlugins
{
    public const string Version = "1.0.0";

    /// <summary>The events every conformance plugin lists in Describe, in the contract's order.</summary>
    public static readonly IReadOnlyList<string> EventNames = ["echo", "settings", "sleep", "cancellations", "hang", "throw", "crash", "log", "lifecycle"];

    public static string Name(string sdk) => "conformance-" + sdk;

    /// <summary>Fails the test, naming the missing file and what publishes it, when <paramref name="sdk"/>'s plugin is absent.</summary>
    public static string Require(string sdk)
    {
        Repository.RequireArtifacts();
        var name = Name(sdk);
        var manifest = Path.Combine(Repository.PluginsRoot, name, Version, "plugin.json");
        if (!File.Exists(manifest) || !File.Exists(Repository.PluginExecutable(name, Version)))
        {
            var needs = sdk switch
            {
                "node" => " (it needs node >= 18 and npm on PATH: apt-get install nodejs npm)",
                "python" => " (it needs python3 with python3-grpcio and python3-protobuf)",
                _ => string.Empty,
            };
            Assert.Fail($"{manifest} is missing: ./build.sh publishes {name}{needs}. An SDK whose conformance plugin is not published fails the suite.");
        }

        return name;
    }

    public static Task<ManualPlugin> StartByHandshakeAsync(string sdk, string settingsJson = "{}") => ManualPlugin.StartAsync(Require(sdk), Version, settingsJson);

    public static HandleEventRequest Request(string name, string payload) =>
        new() { Event = new Event { Id = Guid.NewGuid().ToString("N"), Name = name, Payload = Google.Protobuf.ByteString.CopyFromUtf8(payload), ContentType = "text/plain" } };
}
