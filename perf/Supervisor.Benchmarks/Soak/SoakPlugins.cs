using System.Globalization;
using System.Text.Json.Nodes;

namespace Supervisor.Benchmarks.Soak;

/// <summary>The soak host's <c>Supervisor:Plugins</c> section: echo, rolled between two versions, and chaos.</summary>
internal static class SoakPlugins
{
    public const string Echo = "echo";
    public const string Chaos = "chaos";
    public const string EchoFirstVersion = "1.0.0";
    public const string EchoSecondVersion = "2.0.0";
    public const string ChaosVersion = "1.0.0";

    // Chaos crashes and hangs on purpose, several times a minute: with the default restart policy it would be
    // quarantined (more than 5 restarts in 60 s) within seconds and back off towards 30 s between starts, and the
    // rest of the run would only see fast UNAVAILABLE answers. The soak wants it misbehaving for the whole run.
    private const int ChaosMaxRestarts = 10_000;
    private static readonly TimeSpan ChaosRestartMaxDelay = TimeSpan.FromSeconds(1);

    public static JsonObject Create(SoakSettings settings) => new()
    {
        [Echo] = new JsonObject
        {
            ["Version"] = EchoFirstVersion,
            ["Instances"] = 2,
            ["Deadline"] = Format(settings.EchoDeadline),
        },
        [Chaos] = new JsonObject
        {
            ["Version"] = ChaosVersion,
            ["Instances"] = 2,
            ["MaxRestarts"] = ChaosMaxRestarts,
            ["RestartMaxDelay"] = Format(ChaosRestartMaxDelay),
        },
    };

    /// <summary>The other echo version: the one a roll from <paramref name="active"/> goes to.</summary>
    public static string OtherEchoVersion(string active) => active == EchoFirstVersion ? EchoSecondVersion : EchoFirstVersion;

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
