namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Parses the <c>grpc-timeout</c> header: at most eight ASCII digits and a unit, <c>H</c> hours, <c>M</c> minutes,
/// <c>S</c> seconds, <c>m</c> milliseconds, <c>u</c> microseconds, <c>n</c> nanoseconds (gRPC over HTTP/2).
/// </summary>
internal static class GrpcTimeout
{
    private const int MaxDigits = 8;

    /// <summary>Reads <paramref name="value"/>; false when it is not a timeout as the protocol spells one.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > MaxDigits + 1)
        {
            return false;
        }

        long amount = 0;
        foreach (var digit in value[..^1])
        {
            if (!char.IsAsciiDigit(digit))
            {
                return false;
            }

            amount = (amount * 10) + (digit - '0');
        }

        // Eight digits of hours stay within a long of ticks: 99,999,999 h is 3.6e18 ticks.
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            // A tick is 100 ns: a part of one rounds up, so a timeout of a few nanoseconds is not no time at all.
            'n' => (amount + 99) / 100,
            _ => null,
        };
        if (ticks is not { } exact)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks(exact);
        return true;
    }
}
