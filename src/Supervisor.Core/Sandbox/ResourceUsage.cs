namespace Supervisor.Sandbox;

/// <summary>What an instance and everything it started uses now; a null field is unknown on this host.</summary>
/// <param name="CpuSeconds">CPU time used since the instance started, user and system.</param>
/// <param name="MemoryBytes">Memory in use now (the cgroup's charge, or the resident sets of the process tree).</param>
internal readonly record struct ResourceUsage(double? CpuSeconds, long? MemoryBytes);
