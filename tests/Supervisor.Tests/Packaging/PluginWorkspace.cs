using System.Xml.Linq;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Packaging;

/// <summary>
/// A folder outside the repository where plugins are made as an author would make them: the packed templates
/// installed into a private <c>dotnet new</c> hive, and packages restored into a private package folder from a
/// nuget.config that adds the local feed to the machine's own sources.
/// </summary>
internal sealed class PluginWorkspace
{
    private readonly TempDirectory _directory;
    private readonly DotnetCli _dotnet;

    private PluginWorkspace(TempDirectory directory, Action<string> log)
    {
        _directory = directory;
        _dotnet = new DotnetCli(log, new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesFolder });
    }

    /// <summary>Where restore puts packages: only this workspace's, so a stale copy of the SDK cannot be used.</summary>
    public string PackagesFolder => _directory.File("packages");

    public string PluginsRoot => _directory.File("plugins");

    private string Hive => _directory.File("hive");

    public static async Task<PluginWorkspace> CreateAsync(TempDirectory directory, PackageFeed feed, Action<string> log, CancellationToken cancellationToken)
    {
        var machinePackages = await MachinePackagesFolderAsync(log, directory.Path, cancellationToken);
        WriteNuGetConfig(directory.File("nuget.config"), feed.Directory, machinePackages);
        var workspace = new PluginWorkspace(directory, log);
        await workspace._dotnet.RunAsync(directory.Path, cancellationToken, "new", "install", feed.PackagePath("PluginSupervisor.Templates"), "--debug:custom-hive", workspace.Hive);
        return workspace;
    }

    /// <summary>Runs <c>dotnet new supervisor-plugin</c>; returns the project file.</summary>
    public async Task<string> NewPluginAsync(string name, string handlerForm, CancellationToken cancellationToken)
    {
        await _dotnet.RunAsync(_directory.Path, cancellationToken, "new", "supervisor-plugin", "-n", name, "-o", name, "--handler", handlerForm, "--no-restore", "--no-update-check", "--debug:custom-hive", Hive);
        return Path.Combine(_directory.Path, name, name + ".csproj");
    }

    /// <summary>
    /// Restores and publishes the plugin, warnings as errors, to <c>PluginsRoot/&lt;name&gt;/&lt;version&gt;/</c>: with the
    /// project's own publish settings, or framework-dependent where <paramref name="frameworkDependent"/> overrides them.
    /// </summary>
    public Task PublishAsync(string project, string name, string version, bool frameworkDependent, CancellationToken cancellationToken) =>
        _dotnet.RunAsync(
            Path.GetDirectoryName(project)!,
            cancellationToken,
            [
                "publish", "-c", "Release", "--nologo", "-v", "quiet",
                "-p:TreatWarningsAsErrors=true", "-p:WarningsNotAsErrors=NU1603",
                .. frameworkDependent ? FrameworkDependentPublish : [],
                "-o", Path.Combine(PluginsRoot, name, version),
            ]);

    private static readonly string[] FrameworkDependentPublish = ["-p:SelfContained=false", "-p:PublishTrimmed=false", "-p:PublishReadyToRun=false", "-p:PublishReadyToRunComposite=false"];

    /// <summary>Evaluates one MSBuild property of a restored project.</summary>
    public async Task<string> PropertyAsync(string project, string property, CancellationToken cancellationToken) =>
        (await _dotnet.RunAsync(Path.GetDirectoryName(project)!, cancellationToken, "msbuild", "-getProperty:" + property)).Trim();

    /// <summary>The SDK package version a project references, failing if it references SDK source instead.</summary>
    public static string SdkPackageVersion(string project)
    {
        var xml = XDocument.Load(project);
        Assert.IsFalse(xml.Descendants("ProjectReference").Any(), $"{project} references a project; it must use the package");
        var reference = xml.Descendants("PackageReference").SingleOrDefault(e => (string?)e.Attribute("Include") == "PluginSupervisor.Sdk");
        Assert.IsNotNull(reference, $"{project} has no PackageReference to PluginSupervisor.Sdk");
        return (string)reference.Attribute("Version")!;
    }

    // The machine's package folder serves as a read-only fallback: the third-party packages it already holds are not
    // downloaded again, while the packed ones, whose version it has never seen, come from the local feed.
    private static async Task<string> MachinePackagesFolderAsync(Action<string> log, string workingDirectory, CancellationToken cancellationToken)
    {
        var output = await new DotnetCli(log).RunAsync(workingDirectory, cancellationToken, "nuget", "locals", "global-packages", "--list");
        return output.Trim()["global-packages: ".Length..];
    }

    // No <clear/>: the sources of the machine's own NuGet configuration (its mirror) stay, the local feed is added.
    private static void WriteNuGetConfig(string path, string feed, string fallbackFolder) =>
        new XDocument(
            new XElement(
                "configuration",
                new XElement("packageSources", new XElement("add", new XAttribute("key", "plugin-supervisor-local"), new XAttribute("value", feed))),
                new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", fallbackFolder)))))
            .Save(path);
}
