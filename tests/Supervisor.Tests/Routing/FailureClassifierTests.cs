using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Supervisor.Instances;
using Supervisor.Routing;

namespace Supervisor.Tests.Routing;

/// <summary>What each failure of a call to an instance tells the caller, and when another instance may be tried.</summary>
[TestClass]
public sealed class FailureClassifierTests
{
    private static readonly FailureContext Context = new("plugin 'p' 1.0.0 (instance p-1, pid 42)", "order.created", Idempotent: false, DeadlineReached: false, CallerCancelled: false, NothingCarried: false, Exit: null);

    private static RpcException ConnectionRefused() =>
        new(new Status(StatusCode.Unavailable, "Error connecting", new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused))));

    [TestMethod]
    public void A_refused_connection_that_nothing_could_have_carried_is_retried_elsewhere_and_unroutes_the_instance()
    {
        var failure = FailureClassifier.Classify(ConnectionRefused(), Context with { NothingCarried = true });

        Assert.AreEqual(DispatchError.Unavailable, failure.Error);
        Assert.IsTrue(failure.Retryable);
        Assert.IsTrue(failure.Unreachable);
    }

    [TestMethod]
    public void A_refused_connection_while_another_connection_was_open_may_have_been_sent_so_it_is_an_abort_not_a_retry()
    {
        var failure = FailureClassifier.Classify(ConnectionRefused(), Context with { Exit = "signal 9 (SIGKILL)" });

        Assert.AreEqual(DispatchError.Aborted, failure.Error);
        Assert.IsFalse(failure.Retryable);
        StringAssert.Contains(failure.Message, "signal 9 (SIGKILL)");
        StringAssert.Contains(failure.Message, "may or may not have been handled");
    }

    [TestMethod]
    public void An_abort_is_retried_only_for_an_idempotent_plugin()
    {
        var dropped = new RpcException(new Status(StatusCode.Internal, "stream reset", new IOException("reset")));

        Assert.IsFalse(FailureClassifier.Classify(dropped, Context).Retryable);
        Assert.IsTrue(FailureClassifier.Classify(dropped, Context with { Idempotent = true }).Retryable);
    }

    [TestMethod]
    [DataRow(false, false, DispatchError.Aborted)]
    [DataRow(true, false, DispatchError.DeadlineExceeded)]
    [DataRow(true, true, DispatchError.DeadlineExceeded)]
    [DataRow(false, true, DispatchError.Cancelled)]
    public void A_cancellation_is_the_deadline_when_it_came_at_the_deadline_else_the_caller_else_a_closed_channel(bool deadlineReached, bool callerCancelled, DispatchError expected)
    {
        var failure = FailureClassifier.Classify(new OperationCanceledException(), Context with { DeadlineReached = deadlineReached, CallerCancelled = callerCancelled });

        Assert.AreEqual(expected, failure.Error);
        Assert.IsFalse(failure.Retryable);
    }

    [TestMethod]
    public void A_handler_exception_is_UNKNOWN_with_its_detail_and_never_retried()
    {
        var failure = FailureClassifier.Classify(new RpcException(new Status(StatusCode.Unknown, "InvalidOperationException: boom")), Context with { Idempotent = true });

        Assert.AreEqual(DispatchError.HandlerFailed, failure.Error);
        Assert.IsFalse(failure.Retryable);
        StringAssert.Contains(failure.Message, "order.created");
        StringAssert.Contains(failure.Message, "InvalidOperationException: boom");
    }

    [TestMethod]
    public void A_draining_shim_refused_the_call_before_any_handler_so_it_is_retried()
    {
        var failure = FailureClassifier.Classify(new RpcException(new Status(StatusCode.Unavailable, "shutting down")), Context);

        Assert.AreEqual(DispatchError.Unavailable, failure.Error);
        Assert.IsTrue(failure.Retryable);
        Assert.IsFalse(failure.Unreachable);
    }

    [TestMethod]
    public void A_bulkhead_rejection_is_RESOURCE_EXHAUSTED_naming_the_instance_and_the_reason()
    {
        var failure = FailureClassifier.Classify(new BulkheadRejectedException("is at MaxConcurrency (4) with its queue full (QueueLimit 8)"), Context);

        Assert.AreEqual(DispatchError.ResourceExhausted, failure.Error);
        Assert.IsFalse(failure.Retryable);
        StringAssert.StartsWith(failure.Message, "plugin 'p' 1.0.0 (instance p-1, pid 42) is at MaxConcurrency (4)");
    }

    [TestMethod]
    public void A_wrong_token_is_an_internal_fault_not_the_plugins()
    {
        var failure = FailureClassifier.Classify(new RpcException(new Status(StatusCode.Unauthenticated, "bad token")), Context);

        Assert.AreEqual(DispatchError.Internal, failure.Error);
    }
}
