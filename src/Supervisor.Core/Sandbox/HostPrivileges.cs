using System.Globalization;

namespace Supervisor.Sandbox;

/// <summary>What the supervisor's own process may do: read from <c>/proc/self/status</c>.</summary>
internal static class HostPrivileges
{
    private const int CapChown = 0;
    private const int CapDacOverride = 1;
    private const int CapKill = 5;
    private const int CapSetgid = 6;
    private const int CapSetuid = 7;
    private const int CapSetpcap = 8;

    /// <summary>Gets whether the supervisor may drop capabilities from a plugin's bounding set (CAP_SETPCAP).</summary>
    public static bool CanDropBoundingSet { get; } = Effective() is { } bits && (bits & (1UL << CapSetpcap)) != 0;

    /// <summary>
    /// Whether plugins can run under ids of their own: root (effective uid 0) with the capabilities that takes
    /// (set ids, hand a socket folder to the id, reach into it, signal it); else why not.
    /// </summary>
    public static string? WhyNoIdentitySwitch()
    {
        var status = File.ReadAllLines("/proc/self/status");
        var uid = Field(status, "Uid:")?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
        if (uid is not { Length: >= 2 } || uid[1] != "0")
        {
            return $"the supervisor runs as uid {uid?.ElementAtOrDefault(1) ?? "?"}, not root, so it cannot start plugins under other ids";
        }

        var effective = Effective() ?? 0;
        var missing = new (int Bit, string Name)[] { (CapSetuid, "SETUID"), (CapSetgid, "SETGID"), (CapChown, "CHOWN"), (CapDacOverride, "DAC_OVERRIDE"), (CapKill, "KILL") }
            .Where(c => (effective & (1UL << c.Bit)) == 0)
            .Select(c => c.Name)
            .ToArray();
        return missing.Length == 0 ? null : $"the supervisor is root but lacks capabilities {string.Join(", ", missing)}";
    }

    private static ulong? Effective()
    {
        try
        {
            return ulong.TryParse(Field(File.ReadAllLines("/proc/self/status"), "CapEff:"), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bits) ? bits : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Field(string[] status, string name) =>
        status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
}
