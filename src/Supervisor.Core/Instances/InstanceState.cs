namespace Supervisor.Instances;

/// <summary>Where a plugin instance is in its life.</summary>
internal enum InstanceState
{
    /// <summary>The process runs but has not printed its ready line.</summary>
    Starting,

    /// <summary>Takes calls.</summary>
    Ready,

    /// <summary>Takes no new calls; in-flight calls finish, then the process is shut down.</summary>
    Stopping,

    /// <summary>The process has exited.</summary>
    Exited,
}
