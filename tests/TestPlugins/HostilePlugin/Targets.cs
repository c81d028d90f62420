using System.Text.Json.Serialization;

/// <summary>What the test tells the plugin to attack: the things a hostile plugin could learn by other means.</summary>
internal sealed record Targets(
    string AdminSocket,
    string? AdminTokenFile,
    string ConfigFile,
    string StateDirectory,
    int SiblingPid,
    string SiblingSocket,
    int SupervisorPid);

/// <summary>One escape tried: <see cref="Escaped"/> is true when it got through.</summary>
internal sealed record Attempt(string What, bool Escaped, string Detail);

[JsonSerializable(typeof(Targets))]
[JsonSerializable(typeof(List<Attempt>))]
internal sealed partial class HostileJsonContext : JsonSerializerContext;
