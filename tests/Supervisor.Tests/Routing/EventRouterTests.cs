using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Supervisor.Deployments;
using Supervisor.Diagnostics;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Routing;
using Supervisor.Supervision;

namespace Supervisor.Tests.Routing;

/// <summary>The router against fake plugins: retries, outcomes reported through the lease, refusals.</summary>
[TestClass]
public sealed class EventRouterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private EventRouter _router = null!;
    private SupervisorMetrics _metrics = null!;

    private DateTime Deadline => _time.GetUtcNow().UtcDateTime.AddSeconds(5);

    [TestInitialize]
    public void Create()
    {
        _metrics = new SupervisorMetrics(Array.Empty<Measurement<long>>, Array.Empty<Measurement<long>>, Array.Empty<Measurement<long>>, Array.Empty<Measurement<double>>, Array.Empty<Measurement<long>>);
        _router = new EventRouter(_time, NullLogger.Instance, _metrics);
    }

    [TestCleanup]
    public void Dispose() => _metrics.Dispose();

    [TestMethod]
    public async Task A_call_that_never_reached_a_handler_is_tried_on_another_instance_and_the_first_is_unrouted()
    {
        var refused = new FakeLease("p-1", _ => throw ConnectionRefused()) { NothingCarried = true };
        var answers = new FakeLease("p-2", request => new HandleEventResponse { Payload = request.Event.Payload });
        var target = new FakeTarget(refused, answers);

        var response = await _router.DispatchAsync(target, Event("hello"), Deadline, CancellationToken.None);

        Assert.AreEqual("hello", response.Payload.ToStringUtf8());
        Assert.AreEqual("p-2", response.InstanceId);
        CollectionAssert.AreEqual(new string?[] { null, "p-1" }, target.Excluded, "the retry asks for another instance than the one that failed");
        Assert.AreEqual((CallOutcome.Retried, true), refused.Completed);
        Assert.AreEqual((CallOutcome.Succeeded, false), answers.Completed);
    }

    [TestMethod]
    public async Task A_handler_failure_is_reported_once_and_not_retried()
    {
        var failing = new FakeLease("p-1", _ => throw new RpcException(new Status(StatusCode.Unknown, "InvalidOperationException: boom")));
        var target = new FakeTarget(failing, new FakeLease("p-2", _ => new HandleEventResponse()));

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => _router.DispatchAsync(target, Event("x"), Deadline, CancellationToken.None).AsTask());

        Assert.AreEqual(DispatchError.HandlerFailed, error.Error);
        Assert.AreEqual(1, target.Excluded.Count, "one attempt");
        Assert.AreEqual((CallOutcome.Failed, false), failing.Completed);
    }

    [TestMethod]
    public async Task A_missed_deadline_is_reported_as_a_timeout_with_the_deadline_so_the_pool_can_check_for_a_hang()
    {
        var deadline = Deadline;
        var slow = new FakeLease("p-1", _ =>
        {
            _time.SetUtcNow(new DateTimeOffset(deadline, TimeSpan.Zero));
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline"));
        });

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => _router.DispatchAsync(new FakeTarget(slow), Event("x"), deadline, CancellationToken.None).AsTask());

        Assert.AreEqual(DispatchError.DeadlineExceeded, error.Error);
        Assert.AreEqual((CallOutcome.TimedOut, false), slow.Completed);
        Assert.AreEqual(deadline, slow.Deadline);
    }

    [TestMethod]
    public async Task Retries_end_after_three_attempts_with_the_last_reason()
    {
        var leases = Enumerable.Range(1, 4).Select(i => new FakeLease($"p-{i}", _ => throw ConnectionRefused()) { NothingCarried = true }).ToArray();
        var target = new FakeTarget(leases);

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => _router.DispatchAsync(target, Event("x"), Deadline, CancellationToken.None).AsTask());

        Assert.AreEqual(DispatchError.Unavailable, error.Error);
        Assert.AreEqual(3, target.Excluded.Count);
        Assert.AreEqual((CallOutcome.Failed, true), leases[2].Completed);
        Assert.IsNull(leases[3].Completed, "never leased");
    }

    [TestMethod]
    [DataRow(nameof(Refusal.Unavailable), DispatchError.Unavailable)]
    [DataRow(nameof(Refusal.Saturated), DispatchError.ResourceExhausted)]
    [DataRow(nameof(Refusal.DeadlineExceeded), DispatchError.DeadlineExceeded)]
    public async Task A_plugin_that_cannot_take_the_call_is_answered_with_its_reason(string refusal, DispatchError expected)
    {
        var target = new FakeTarget { Refusal = new CallRefusedException(Enum.Parse<Refusal>(refusal), "plugin 'p' is quarantined: exit code 3") };

        var error = await Assert.ThrowsExactlyAsync<DispatchException>(() => _router.DispatchAsync(target, Event("x"), Deadline, CancellationToken.None).AsTask());

        Assert.AreEqual(expected, error.Error);
        Assert.AreEqual("plugin 'p' is quarantined: exit code 3", error.Message);
    }

    private static Protocol.Plugin.V1.Event Event(string payload) => new() { Name = "x", Payload = ByteString.CopyFromUtf8(payload) };

    private static RpcException ConnectionRefused() =>
        new(new Status(StatusCode.Unavailable, "Error connecting", new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused))));

    private sealed class FakeTarget(params FakeLease[] leases) : IDispatchTarget
    {
        private int _next;

        public List<string?> Excluded { get; } = [];

        public CallRefusedException? Refusal { get; init; }

        public string Name => "p";

        public string ActiveVersion => "1.0.0";

        public ValueTask<ICallLease> AcquireAsync(string? excludeInstanceId, DateTime deadline, CancellationToken cancellationToken)
        {
            if (Refusal is not null)
            {
                throw Refusal;
            }

            Excluded.Add(excludeInstanceId);
            return new ValueTask<ICallLease>(leases[_next++]);
        }
    }

    private sealed class FakeLease(string instanceId, Func<HandleEventRequest, HandleEventResponse> handle) : ICallLease
    {
        public (CallOutcome Outcome, bool Unreachable)? Completed { get; private set; }

        public DateTime Deadline { get; private set; }

        public string Version => "1.0.0";

        public string InstanceId => instanceId;

        public string Who => $"plugin 'p' 1.0.0 (instance {instanceId})";

        public bool Idempotent => false;

        public bool NothingCarried { get; init; }

        public string? Exit => null;

        public ValueTask<HandleEventResponse> HandleEventAsync(HandleEventRequest request, DateTime deadline, CancellationToken cancellationToken) =>
            new(handle(request));

        public void Complete(CallOutcome outcome, bool unreachable, DateTime deadline, TimeSpan elapsed)
        {
            Assert.IsNull(Completed, "a lease is completed once");
            Completed = (outcome, unreachable);
            Deadline = deadline;
        }
    }
}
