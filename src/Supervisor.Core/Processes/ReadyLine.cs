using System.Diagnostics.CodeAnalysis;
using System.Text;
using Supervisor.Protocol;

namespace Supervisor.Processes;

/// <summary>
/// The plugin's announcement that it listens: <c>SUPERVISOR_PLUGIN_READY &lt;protocol&gt; &lt;address&gt;</c> on stdout
/// (docs/protocol.md). Other stdout lines are the plugin's own output.
/// </summary>
internal static class ReadyLine
{
    private const string Prefix = Handshake.ReadyPrefix;
    private const string ProtocolVersion = Handshake.ProtocolVersion;

    // The prefix as the bytes the plugin writes: lines are matched before they are decoded (a flood of other
    // lines that the rate limit drops is never decoded).
    private static readonly byte[] Utf8Prefix = Encoding.UTF8.GetBytes(Prefix);

    public static bool IsAnnouncement(ReadOnlySpan<byte> utf8Line) => utf8Line.StartsWith(Utf8Prefix);

    /// <summary>Parses an announcement; on failure <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string line, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[0] != Prefix)
        {
            error = $"malformed ready line '{line}'; expected '{Prefix} {ProtocolVersion} unix:///path.sock'";
            return false;
        }

        if (parts[1] != ProtocolVersion)
        {
            error = $"the plugin speaks protocol {parts[1]}; this supervisor speaks {ProtocolVersion}";
            return false;
        }

        if (!parts[2].StartsWith("unix://", StringComparison.Ordinal) && !parts[2].StartsWith("http://", StringComparison.Ordinal))
        {
            error = $"the ready line announces '{parts[2]}'; expected a unix:// or http:// address";
            return false;
        }

        address = parts[2];
        error = null;
        return true;
    }
}
