using Supervisor.Configuration;
using Supervisor.Deployments;
using Supervisor.Diagnostics;
using Supervisor.Instances;

namespace Supervisor.Tests.Deployments;

[TestClass]
public sealed class CanaryJudgeTests
{
    private static readonly CanaryOptions Options = new() { MaxFailureRate = 0.01, MaxP99Ratio = 2, MinCalls = 20 };

    [TestMethod]
    public void A_canary_as_good_as_the_old_version_passes()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 0, 1_000), "1.0.0", Sample(900, 0, 1_000), notReady: null);

        Assert.IsTrue(analysis.Passed, analysis.Summary);
        StringAssert.StartsWith(analysis.Summary, "passed (2.0.0: 100 calls, 0 failed");
    }

    [TestMethod]
    public void Failures_beyond_the_old_versions_rate_plus_the_threshold_fail_the_step()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 5, 1_000), "1.0.0", Sample(900, 9, 1_000), notReady: null);

        Assert.IsFalse(analysis.Passed);
        StringAssert.Contains(analysis.Summary, "failure rate 5% is above the old version's 1% plus MaxFailureRate 1%");
        Assert.AreEqual(5ul, analysis.Failures);
        Assert.AreEqual(9ul, analysis.BaselineFailures);
    }

    [TestMethod]
    public void Failures_the_old_version_has_too_do_not_count_against_the_canary()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 10, 1_000), "1.0.0", Sample(900, 90, 1_000), notReady: null);

        Assert.IsTrue(analysis.Passed, analysis.Summary);
    }

    [TestMethod]
    public void A_single_failure_fails_a_step_with_few_calls()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(3, 1, 1_000), "1.0.0", Sample(30, 0, 1_000), notReady: null);

        Assert.IsFalse(analysis.Passed);
    }

    [TestMethod]
    public void A_p99_over_the_ratio_of_the_old_versions_fails_but_sub_millisecond_noise_does_not()
    {
        var slow = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 0, 50_000), "1.0.0", Sample(900, 0, 1_000), notReady: null);
        var noise = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 0, 600), "1.0.0", Sample(900, 0, 200), notReady: null);

        Assert.IsFalse(slow.Passed);
        StringAssert.Contains(slow.Summary, "more than MaxP99Ratio 2 × 1.0.0's");
        Assert.IsTrue(noise.Passed, noise.Summary);
    }

    [TestMethod]
    public void Latency_is_not_judged_on_fewer_than_MinCalls()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(5, 0, 50_000), "1.0.0", Sample(900, 0, 1_000), notReady: null);

        Assert.IsTrue(analysis.Passed, analysis.Summary);
    }

    [TestMethod]
    public void An_absolute_p99_limit_applies_without_a_baseline()
    {
        var options = new CanaryOptions { MaxP99 = TimeSpan.FromMilliseconds(10), MinCalls = 20 };

        var analysis = CanaryJudge.Judge(options, "2.0.0", Sample(100, 0, 20_000), "1.0.0", Sample(0, 0, 0), notReady: null);

        Assert.IsFalse(analysis.Passed);
        StringAssert.Contains(analysis.Summary, "above MaxP99 10 ms");
    }

    [TestMethod]
    public void A_canary_that_is_not_fully_ready_fails_whatever_its_calls_say()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(100, 0, 1_000), "1.0.0", Sample(900, 0, 1_000), notReady: "only 1 of 2 instance(s) of 2.0.0 are ready");

        Assert.IsFalse(analysis.Passed);
        StringAssert.StartsWith(analysis.Summary, "failed: only 1 of 2");
    }

    [TestMethod]
    public void A_step_without_calls_passes_and_says_so()
    {
        var analysis = CanaryJudge.Judge(Options, "2.0.0", Sample(0, 0, 0), "1.0.0", Sample(0, 0, 0), notReady: null);

        Assert.IsTrue(analysis.Passed);
        StringAssert.Contains(analysis.Summary, "no call reached 2.0.0");
    }

    private static StepSample Sample(int calls, int failures, long micros)
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < calls; i++)
        {
            histogram.Record(TimeSpan.FromMicroseconds(micros));
        }

        return new StepSample(new CallCounts(calls, failures, 0, 0), histogram.Snapshot());
    }
}
