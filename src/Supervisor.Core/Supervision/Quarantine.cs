namespace Supervisor.Supervision;

/// <summary>A plugin version that restarted too often: nothing starts until an operator lifts it (RestartPlugin).</summary>
internal sealed record Quarantine(string Reason)
{
    public TaskCompletionSource Lifted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
