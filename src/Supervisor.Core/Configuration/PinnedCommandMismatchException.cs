namespace Supervisor.Configuration;

/// <summary>
/// A version's command does not hash to the <c>sha256</c> its <c>plugin.json</c> pins: a wrong or half-copied build.
/// It will not fix itself, so the start is refused for good (the plugin is quarantined until an operator acts).
/// </summary>
public sealed class PinnedCommandMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="manifestPath">The <c>plugin.json</c> that pins the hash.</param>
    /// <param name="file">The command's file.</param>
    /// <param name="expected">The pinned hash.</param>
    /// <param name="actual">The file's hash.</param>
    public PinnedCommandMismatchException(string manifestPath, string file, string expected, string actual)
        : base($"{file} does not match the sha256 pinned in {manifestPath}: expected {expected}, actual {actual}")
    {
        File = file;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Gets the command's file.</summary>
    public string File { get; }

    /// <summary>Gets the pinned hash (lower-case hex).</summary>
    public string Expected { get; }

    /// <summary>Gets the file's hash (lower-case hex).</summary>
    public string Actual { get; }
}
