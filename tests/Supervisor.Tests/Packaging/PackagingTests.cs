using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Packaging;

/// <summary>
/// The SDK as plugin authors get it: the repository's packages, packed once for the class into a local feed.
/// Packing, restoring and publishing make these the slowest tests of the suite (about a minute on two cores).
/// </summary>
[TestClass]
public sealed partial class PackagingTests(TestContext testContext)
{
    private static PackageFeed? packed;

    private static PackageFeed Feed => packed ?? throw new InvalidOperationException("the packages were not packed: see the class initialization's output");

    [ClassInitialize]
    [Timeout(300_000, CooperativeCancellation = true)]
    public static async Task PackAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        packed = await PackageFeed.PackAsync(new DotnetCli(context.WriteLine), context.CancellationToken);
    }

    [ClassCleanup]
    public static void DeleteFeed() => packed?.Dispose();

    [TestMethod]
    public void The_packages_carry_their_readme_xml_docs_license_repository_and_the_proto_contract()
    {
        var sdk = Read("PluginSupervisor.Sdk");
        var protocol = Read("PluginSupervisor.Protocol");
        var templates = Read("PluginSupervisor.Templates");

        CollectionAssert.IsSubsetOf(
            new[]
            {
                "README.md", "lib/net10.0/Supervisor.PluginSdk.dll", "lib/net10.0/Supervisor.PluginSdk.xml",
                "build/PluginSupervisor.Sdk.props", "buildTransitive/PluginSupervisor.Sdk.props",
            },
            sdk.Entries);
        CollectionAssert.IsSubsetOf(
            new[]
            {
                "README.md", "lib/net10.0/Supervisor.Protocol.dll", "lib/net10.0/Supervisor.Protocol.xml",
                "content/protos/supervisor/plugin/v1/plugin.proto", "content/protos/supervisor/events/v1/events.proto",
                "content/protos/supervisor/admin/v1/admin.proto", "buildTransitive/PluginSupervisor.Protocol.props",
            },
            protocol.Entries);
        CollectionAssert.IsSubsetOf(new[] { "README.md", "content/SupervisorPlugin/.template.config/template.json", "content/SupervisorPlugin/plugin.json" }, templates.Entries);
        foreach (var package in new[] { sdk, protocol, templates })
        {
            Assert.AreEqual("MIT", Metadata(package.Nuspec, "license"), package.Id);
            Assert.AreEqual("README.md", Metadata(package.Nuspec, "readme"), package.Id);
            Assert.AreEqual("git", package.Nuspec.Descendants().Single(e => e.Name.LocalName == "repository").Attribute("type")?.Value, package.Id);
        }

        var dependency = sdk.Nuspec.Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "PluginSupervisor.Protocol");
        Assert.AreEqual(Feed.Version, (string?)dependency.Attribute("version"));
        Assert.IsTrue(HasEmbeddedPdb(sdk.Id, "lib/net10.0/Supervisor.PluginSdk.dll"), "the SDK's symbols travel inside its DLL");
        using var template = JsonDocument.Parse(ReadText(templates.Id, "content/SupervisorPlugin/.template.config/template.json"));
        Assert.AreEqual(Feed.Version, template.RootElement.GetProperty("symbols").GetProperty("SdkVersion").GetProperty("defaultValue").GetString(), "the template references the SDK packed with it");
    }

    private static string? Metadata(XDocument nuspec, string element) =>
        nuspec.Descendants().SingleOrDefault(e => e.Name.LocalName == element)?.Value;

    private static Nupkg Read(string id)
    {
        using var zip = ZipFile.OpenRead(Feed.PackagePath(id));
        using var nuspec = zip.GetEntry(id + ".nuspec")!.Open();
        return new Nupkg(id, [.. zip.Entries.Select(e => e.FullName)], XDocument.Load(nuspec));
    }

    private static string ReadText(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(Feed.PackagePath(id));
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static bool HasEmbeddedPdb(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(Feed.PackagePath(id));
        using var dll = new MemoryStream();
        using (var stream = zip.GetEntry(entry)!.Open())
        {
            stream.CopyTo(dll);
        }

        dll.Position = 0;
        using var pe = new PEReader(dll);
        return pe.ReadDebugDirectory().Any(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    private sealed record Nupkg(string Id, string[] Entries, XDocument Nuspec);
}
