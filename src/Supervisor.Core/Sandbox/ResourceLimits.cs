namespace Supervisor.Sandbox;

/// <summary>The limits one instance runs under; a zero is "no limit".</summary>
internal sealed record ResourceLimits(double CpuCores, long MemoryBytes, int MaxProcesses, int MaxOpenFiles);
