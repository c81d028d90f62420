using Supervisor.Diagnostics;
using Supervisor.Instances;

namespace Supervisor.Deployments;

/// <summary>What one version did during one canary step: its call counters and latencies over the step.</summary>
internal readonly record struct StepSample(CallCounts Counts, LatencySnapshot Latency)
{
    public double FailureRate => Counts.Calls == 0 ? 0 : (double)Counts.Failures / Counts.Calls;

    public TimeSpan P99 => Latency.Percentile(0.99);
}
