using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Packaging;

/// <summary>
/// The repository's NuGet packages (<c>plugin-sdk/Packages.slnx</c>) packed into a local feed under a version no
/// package cache has seen, built under a folder of their own so the repository's bin/ and obj/ are left alone.
/// </summary>
internal sealed class PackageFeed : IDisposable
{
    private readonly TempDirectory _directory;

    private PackageFeed(TempDirectory directory, string version)
    {
        _directory = directory;
        Version = version;
    }

    public string Directory => _directory.File("feed");

    public string Version { get; }

    public string PackagePath(string id) => Path.Combine(Directory, $"{id}.{Version}.nupkg");

    public static async Task<PackageFeed> PackAsync(DotnetCli dotnet, CancellationToken cancellationToken)
    {
        var directory = new TempDirectory();
        var feed = new PackageFeed(directory, $"0.1.0-test-{Guid.NewGuid():N}");
        try
        {
            await dotnet.RunAsync(
                Repository.Root,
                cancellationToken,
                "pack", "plugin-sdk/Packages.slnx", "-c", "Release", "--nologo", "-v", "quiet",
                "--artifacts-path", directory.File("build"),
                $"-p:Version={feed.Version}",
                $"-p:PackageOutputPath={feed.Directory}");
            return feed;
        }
        catch
        {
            feed.Dispose();
            throw;
        }
    }

    public void Dispose() => _directory.Dispose();
}
