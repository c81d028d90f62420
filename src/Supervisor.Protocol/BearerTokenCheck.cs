namespace Supervisor.Protocol;

/// <summary>
/// Checks that a call carries <c>authorization: Bearer &lt;token&gt;</c>, in constant time, and says why not in the
/// words every Plugin Supervisor service and SDK uses (the supervisor and the conformance suite read them).
/// </summary>
public sealed class BearerTokenCheck
{
    private readonly string _expected;
    private readonly string _missing;
    private readonly string _invalid;

    /// <summary>Creates the check.</summary>
    /// <param name="token">The token every call must carry.</param>
    /// <param name="service">Names the service in refusals, e.g. <c>the admin API</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty.</exception>
    public BearerTokenCheck(string token, string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _expected = "Bearer " + token;
        _missing = $"{service} requires 'authorization: Bearer <token>'";
        _invalid = $"{service} refused the token: it is not valid";
    }

    /// <summary>Returns why a call with <paramref name="authorization"/> is refused, or <see langword="null"/> when it carries the token.</summary>
    /// <param name="authorization">The call's <c>authorization</c> header; <see langword="null"/> when it has none.</param>
    /// <returns>The refusal's message, for an UNAUTHENTICATED status, or <see langword="null"/>.</returns>
    public string? Refusal(string? authorization) =>
        authorization is null ? _missing
        : FixedTimeEquals(authorization, _expected) ? null
        : _invalid;

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
