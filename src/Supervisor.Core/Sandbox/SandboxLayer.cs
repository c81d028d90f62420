namespace Supervisor.Sandbox;

/// <summary>One layer of the sandbox, and whether this host applies it.</summary>
/// <param name="Name">What the layer is, as the start-up report and <c>GetPlugin</c> name it.</param>
/// <param name="Applied">Whether it applies.</param>
/// <param name="Detail">How it applies, or why it does not.</param>
/// <param name="LeftOff">Whether the operator left it off (<c>Sandbox:Disable</c>), so <c>required</c> does not ask for it.</param>
internal sealed record SandboxLayer(string Name, bool Applied, string Detail, bool LeftOff = false);
