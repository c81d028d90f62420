namespace Supervisor.Sandbox;

/// <summary>
/// Whether a plugin under a uid of its own can reach a path: every folder above it must let others pass (o+x).
/// Checked before a start so that a private parent folder is reported by name, not as bwrap's "Permission denied".
/// </summary>
internal static class PathAccess
{
    /// <summary>The first folder at or above <paramref name="path"/> that others cannot pass through, or <see langword="null"/>.</summary>
    public static string? FirstClosedFolder(string path)
    {
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            try
            {
                if ((File.GetUnixFileMode(folder) & UnixFileMode.OtherExecute) == 0)
                {
                    return folder;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return folder;
            }
        }

        return null;
    }
}
