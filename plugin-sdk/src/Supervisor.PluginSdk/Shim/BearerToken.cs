using Microsoft.Extensions.Primitives;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// The per-process token every call must carry as <c>authorization: Bearer &lt;token&gt;</c>, checked before any
/// message is read, with the refusals of <c>Supervisor.Protocol.BearerTokenInterceptor</c>, which served the shim
/// while it ran on grpc-dotnet: the supervisor and the conformance suite read the same words from every SDK.
/// </summary>
internal sealed class BearerToken
{
    private readonly string _expected;
    private readonly string _missing;
    private readonly string _invalid;

    /// <param name="token">The token from the handshake.</param>
    /// <param name="service">Names the service in refusals.</param>
    public BearerToken(string token, string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _expected = "Bearer " + token;
        _missing = $"{service} requires 'authorization: Bearer <token>'";
        _invalid = $"{service} refused the token: it is not valid";
    }

    /// <summary>Returns why <paramref name="authorization"/> is refused, or null when it carries the token.</summary>
    public string? Refusal(StringValues authorization)
    {
        if (StringValues.IsNullOrEmpty(authorization))
        {
            return _missing;
        }

        return FixedTimeEquals(authorization.ToString(), _expected) ? null : _invalid;
    }

    // Constant time, so the comparison does not leak how much of a guess was right; no allocation on the call path.
    private static bool FixedTimeEquals(string presented, string expected)
    {
        var difference = presented.Length ^ expected.Length;
        for (var i = 0; i < expected.Length; i++)
        {
            difference |= (i < presented.Length ? presented[i] : 0) ^ expected[i];
        }

        return difference == 0;
    }
}
