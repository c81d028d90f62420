using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Supervisor.Configuration;

/// <summary>A parsed listen address: <c>unix:///abs/path.sock</c> or <c>http://host:port</c>.</summary>
public sealed record ListenAddress
{
    private const string UnixScheme = "unix://";
    private const string HttpScheme = "http://";

    /// <summary>
    /// The longest Unix socket path the system can bind, in bytes: <c>sun_path</c> holds 108 bytes on Linux, the last
    /// of which is the terminating NUL.
    /// </summary>
    public const int MaxSocketPathBytes = 107;

    private ListenAddress(string original, string? socketPath, IPAddress? host, int port)
    {
        Original = original;
        SocketPath = socketPath;
        Host = host;
        Port = port;
    }

    /// <summary>Gets the address as written.</summary>
    public string Original { get; }

    /// <summary>Gets the Unix socket path, or <see langword="null"/> for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>Gets the TCP address, or <see langword="null"/> for a Unix socket.</summary>
    public IPAddress? Host { get; }

    /// <summary>Gets the TCP port (0 for a Unix socket or an ephemeral port).</summary>
    public int Port { get; }

    /// <summary>Gets whether this is a Unix domain socket.</summary>
    [MemberNotNullWhen(true, nameof(SocketPath))]
    [MemberNotNullWhen(false, nameof(Host))]
    public bool IsUnixSocket => SocketPath is not null;

    /// <summary>Parses an address already validated.</summary>
    /// <param name="text">The address.</param>
    /// <returns>The parsed address.</returns>
    /// <exception cref="FormatException">The address is invalid.</exception>
    public static ListenAddress Parse(string? text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    /// <summary>Parses an address; on failure <paramref name="error"/> says what is expected.</summary>
    /// <param name="text">The address.</param>
    /// <param name="address">The parsed address.</param>
    /// <param name="error">Why the address is invalid.</param>
    /// <returns>Whether the address is valid.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; expected http://host:port or unix:///absolute/path.sock";
            return false;
        }

        if (text.StartsWith(UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            var path = text[UnixScheme.Length..];
            if (!Path.IsPathRooted(path) || path.EndsWith('/'))
            {
                error = $"'{text}' needs an absolute socket file path, e.g. unix:///run/supervisor/events.sock";
                return false;
            }

            var bytes = Encoding.UTF8.GetByteCount(path);
            if (bytes > MaxSocketPathBytes)
            {
                error = $"'{text}' has a socket path of {bytes} bytes; a Unix socket path can be at most {MaxSocketPathBytes} bytes";
                return false;
            }

            address = new ListenAddress(text, path, null, 0);
            error = null;
            return true;
        }

        if (text.StartsWith(HttpScheme, StringComparison.OrdinalIgnoreCase))
        {
            var rest = text[HttpScheme.Length..].TrimEnd('/');
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                error = $"'{text}' needs a host and a port, e.g. http://127.0.0.1:7070";
                return false;
            }

            var hostText = rest[..colon].Trim('[', ']');
            IPAddress? host = hostText.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : hostText is "*" or "+" ? IPAddress.Any
                : IPAddress.TryParse(hostText, out var parsed) ? parsed : null;
            if (host is null)
            {
                error = $"'{text}' has host '{hostText}'; use an IP address, localhost, or * for every interface";
                return false;
            }

            address = new ListenAddress(text, null, host, port);
            error = null;
            return true;
        }

        error = $"'{text}' has an unknown scheme; expected http://host:port or unix:///absolute/path.sock";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Original;
}
