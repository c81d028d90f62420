using System.Globalization;

namespace Supervisor.Configuration;

/// <summary>A range of user ids, <c>"first-last"</c> (<c>Supervisor:Sandbox:UidRange</c>).</summary>
internal readonly record struct UidRange(uint First, uint Last)
{
    // Below 1000 are system accounts; 65534 is nobody; above 2^31 some tools misread ids as negative.
    private const uint Lowest = 1000;
    private const uint Highest = int.MaxValue - 1;

    public uint Count => Last - First + 1;

    public bool Contains(uint uid) => uid >= First && uid <= Last;

    public static bool TryParse(string? text, out UidRange range, out string error)
    {
        range = default;
        var parts = (text ?? string.Empty).Split('-');
        if (parts.Length != 2
            || !uint.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !uint.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            error = $"'{text}' is not a range of user ids like \"61000-61999\"";
            return false;
        }

        if (first < Lowest || last > Highest || first > last)
        {
            error = $"'{text}' must run upwards between {Lowest} and {Highest}";
            return false;
        }

        range = new UidRange(first, last);
        error = string.Empty;
        return true;
    }

    public override string ToString() => $"{First}-{Last}";
}
