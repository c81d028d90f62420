namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>One sample of a plugin's chart: calls per second and p99 latency over the interval that ended at <see cref="Time"/>.</summary>
internal readonly record struct TrendPoint(DateTimeOffset Time, double CallsPerSecond, double P99Milliseconds);
