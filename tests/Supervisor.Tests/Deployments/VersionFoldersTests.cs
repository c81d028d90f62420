using System.Security.Cryptography;
using Supervisor.Deployments;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Deployments;

/// <summary>The version folders on disk: their order, and which of them a deployment has finished.</summary>
[TestClass]
public sealed class VersionFoldersTests
{
    [TestMethod]
    public void Versions_are_ordered_by_semantic_version_with_other_folders_after_them_and_hidden_folders_left_out()
    {
        using var dir = new TempDirectory();
        var root = dir.File("plugins");
        foreach (var name in new[] { "10.0.0", "2.0.0", "v2.1.0", "2.0.0-rc.10", "2.0.0-rc.2", "latest", "1.0.0", ".incoming-3.0.0" })
        {
            Complete(root, name);
        }

        var names = VersionFolders.List(root, "echo").Select(v => v.Name).ToList();

        CollectionAssert.AreEqual(new[] { "1.0.0", "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0", "v2.1.0", "10.0.0", "latest" }, names, string.Join(", ", names));
        Assert.AreEqual("10.0.0", VersionFolders.HighestComplete(VersionFolders.List(root, "echo"))?.Name);
    }

    [TestMethod]
    public void A_folder_without_plugin_json_or_with_a_truncated_one_is_incomplete_and_never_the_highest()
    {
        using var dir = new TempDirectory();
        var root = dir.File("plugins");
        Complete(root, "1.0.0");
        var copying = Folder(root, "2.0.0");
        File.WriteAllText(Path.Combine(copying, "echo"), "#!/bin/sh\n");
        var truncated = Folder(root, "3.0.0");
        File.WriteAllText(Path.Combine(truncated, "echo"), "#!/bin/sh\n");
        File.WriteAllText(Path.Combine(truncated, "plugin.json"), """{ "command": "./ec""");

        var versions = VersionFolders.List(root, "echo");

        Assert.IsTrue(versions[0].IsComplete, versions[0].Problem);
        StringAssert.Contains(versions[1].Problem, "plugin.json does not exist");
        StringAssert.Contains(versions[2].Problem, "not valid plugin.json");
        Assert.AreEqual("1.0.0", VersionFolders.HighestComplete(versions)?.Name);
    }

    [TestMethod]
    public void A_folder_whose_command_is_missing_or_does_not_match_its_pin_is_incomplete_naming_the_file()
    {
        using var dir = new TempDirectory();
        var root = dir.File("plugins");
        var missing = Folder(root, "1.0.0");
        File.WriteAllText(Path.Combine(missing, "plugin.json"), """{ "command": "./echo" }""");
        var pinned = Folder(root, "2.0.0");
        File.WriteAllText(Path.Combine(pinned, "echo"), "half a binary");
        var expected = Convert.ToHexStringLower(SHA256.HashData("the whole binary"u8));
        File.WriteAllText(Path.Combine(pinned, "plugin.json"), $$"""{ "command": "./echo", "sha256": "{{expected}}" }""");

        var versions = VersionFolders.List(root, "echo");

        StringAssert.Contains(versions[0].Problem, $"command './echo' does not exist ({Path.Combine(missing, "echo")})");
        StringAssert.Contains(versions[1].Problem, $"{Path.Combine(pinned, "echo")} does not match the sha256 pinned in {Path.Combine(pinned, "plugin.json")}: expected {expected}, actual {Convert.ToHexStringLower(SHA256.HashData("half a binary"u8))}");
        Assert.IsNull(VersionFolders.HighestComplete(versions));
    }

    internal static string Folder(string root, string version)
    {
        var folder = Path.Combine(root, "echo", version);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void Complete(string root, string version)
    {
        var folder = Folder(root, version);
        File.WriteAllText(Path.Combine(folder, "echo"), "#!/bin/sh\n");
        File.WriteAllText(Path.Combine(folder, "plugin.json"), """{ "command": "./echo" }""");
    }
}
