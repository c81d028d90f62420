using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Supervisor.Configuration;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Deployments;

/// <summary>
/// Judges one canary step, Flagger-style: the new version fails when it is not fully ready, when its failure rate
/// exceeds the old version's by more than <see cref="CanaryOptions.MaxFailureRate"/>, or when its p99 exceeds
/// <see cref="CanaryOptions.MaxP99"/> or <see cref="CanaryOptions.MaxP99Ratio"/> times the old version's.
/// </summary>
internal static class CanaryJudge
{
    // Below this, p99 differences between two processes on one machine are scheduling noise, not the new version.
    private static readonly TimeSpan LatencyNoise = TimeSpan.FromMilliseconds(1);

    public static CanaryAnalysis Judge(CanaryOptions options, string newVersion, StepSample candidate, string oldVersion, StepSample baseline, string? notReady)
    {
        var analysis = new CanaryAnalysis
        {
            Calls = (ulong)candidate.Counts.Calls,
            Failures = (ulong)candidate.Counts.Failures,
            P99 = Duration.FromTimeSpan(candidate.P99),
            BaselineCalls = (ulong)baseline.Counts.Calls,
            BaselineFailures = (ulong)baseline.Counts.Failures,
            BaselineP99 = Duration.FromTimeSpan(baseline.P99),
        };
        var seen = $"{newVersion}: {Describe(candidate)}; {oldVersion}: {Describe(baseline)}";
        var failure = notReady ?? FailureRateProblem(options, candidate, baseline) ?? LatencyProblem(options, candidate, baseline, oldVersion);
        analysis.Passed = failure is null;
        analysis.Summary = failure is null
            ? candidate.Counts.Calls == 0 ? $"passed, but no call reached {newVersion} in this step ({seen})" : $"passed ({seen})"
            : $"failed: {failure} ({seen})";
        return analysis;
    }

    private static string? FailureRateProblem(CanaryOptions options, StepSample candidate, StepSample baseline)
    {
        var allowed = baseline.FailureRate + options.MaxFailureRate;
        return candidate.Counts.Failures > 0 && candidate.FailureRate > allowed
            ? $"failure rate {Percent(candidate.FailureRate)} is above the old version's {Percent(baseline.FailureRate)} plus MaxFailureRate {Percent(options.MaxFailureRate)}"
            : null;
    }

    private static string? LatencyProblem(CanaryOptions options, StepSample candidate, StepSample baseline, string oldVersion)
    {
        if (candidate.Counts.Calls < options.MinCalls)
        {
            return null;
        }

        var p99 = candidate.P99;
        if (options.MaxP99 > TimeSpan.Zero && p99 > options.MaxP99)
        {
            return $"p99 {Ms(p99)} is above MaxP99 {Ms(options.MaxP99)}";
        }

        var baselineP99 = baseline.P99;
        if (options.MaxP99Ratio > 0 && baseline.Counts.Calls >= options.MinCalls
            && p99 > baselineP99 * options.MaxP99Ratio && p99 - baselineP99 > LatencyNoise)
        {
            return $"p99 {Ms(p99)} is more than MaxP99Ratio {options.MaxP99Ratio.ToString(CultureInfo.InvariantCulture)} × {oldVersion}'s {Ms(baselineP99)}";
        }

        return null;
    }

    private static string Describe(StepSample sample) =>
        sample.Counts.Calls == 0 ? "no calls" : $"{sample.Counts.Calls} calls, {sample.Counts.Failures} failed, p99 {Ms(sample.P99)}";

    private static string Percent(double rate) => (rate * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
