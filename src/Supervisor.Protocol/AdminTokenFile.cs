namespace Supervisor.Protocol;

/// <summary>
/// Where a supervisor whose admin API listens on a Unix socket without a configured <c>Admin:Token</c> writes the token
/// it generated at start (mode 0600, beside the socket), and where <c>supervisorctl</c> looks for it by default.
/// </summary>
public static class AdminTokenFile
{
    /// <summary>The token file of the admin socket at <paramref name="socketPath"/>.</summary>
    /// <param name="socketPath">The admin socket's path.</param>
    /// <returns><paramref name="socketPath"/> followed by <c>.token</c>.</returns>
    public static string PathFor(string socketPath) => socketPath + ".token";

    /// <summary>Reads the token for an admin address, when it is a Unix socket with a readable token file.</summary>
    /// <param name="address">The admin address, <c>unix:///path.sock</c> or <c>http://host:port</c>.</param>
    /// <returns>The token, or <see langword="null"/> when there is no such file or it cannot be read.</returns>
    public static string? TryRead(string address)
    {
        const string Scheme = "unix://";
        if (!address.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var token = File.ReadAllText(PathFor(address[Scheme.Length..])).Trim();
            return token.Length > 0 ? token : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
