namespace Supervisor.Benchmarks.PublishModes;

/// <summary>One published build of the <c>supervisor</c> host, named by how it was published (jit, r2r).</summary>
internal sealed record HostBuild(string Mode, string Executable)
{
    /// <summary>Parses <c>MODE=PATH</c>, e.g. <c>r2r=artifacts/publish-modes/r2r/supervisor</c>.</summary>
    /// <returns>The build, or <see langword="null"/> when the text is not of that form.</returns>
    public static HostBuild? Parse(string text)
    {
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        return separator <= 0 || separator == text.Length - 1
            ? null
            : new HostBuild(text[..separator], Path.GetFullPath(text[(separator + 1)..]));
    }
}
