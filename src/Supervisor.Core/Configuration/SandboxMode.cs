namespace Supervisor.Configuration;

/// <summary>How strictly plugins are sandboxed (<c>Supervisor:Sandbox:Mode</c>).</summary>
public enum SandboxMode
{
    /// <summary>Every layer this host allows; what does not apply is logged once at start, with the reason.</summary>
    Auto,

    /// <summary>Every layer must apply: a plugin whose sandbox cannot be applied in full does not start (exit 2 at start).</summary>
    Required,

    /// <summary>No sandbox: plugins run as the supervisor's user, in its namespaces, without limits.</summary>
    Off,
}
