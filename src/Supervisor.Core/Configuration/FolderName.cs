using System.Text.RegularExpressions;

namespace Supervisor.Configuration;

/// <summary>
/// What a plugin name or a version may be: one path segment of plain characters, so that
/// <c>PluginsRoot/&lt;name&gt;/&lt;version&gt;</c> can never climb out of the plugins folder (<c>..</c>, <c>/</c>).
/// </summary>
internal static partial class FolderName
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Pattern();
}
