using System.Collections;
using System.Reflection;
using Grpc.Core;
using Supervisor.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Supervisor.Host.Admin;
using Supervisor.Host.Hosting;
using Supervisor.Protocol.Admin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Host;

/// <summary>The admin API's <c>WatchEvents</c>, in-process: what a failed call leaves behind cannot be seen over the wire.</summary>
[TestClass]
public sealed class WatchEventsTests
{
    [TestMethod]
    public async Task A_watch_whose_response_headers_cannot_be_written_leaves_no_subscription_behind()
    {
        using var dir = new TempDirectory();
        await using var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0" })));
        using var reloader = new ConfigurationReloader(supervisor, Path.Combine(dir.Path, "supervisor.json"), _ => { }, NullLogger.Instance);
        var endpoint = new AdminServiceEndpoint(supervisor, reloader);

        await Assert.ThrowsExactlyAsync<IOException>(() => endpoint.WatchEvents(new WatchEventsRequest(), new DiscardingWriter(), new HeadersFailContext()).DefaultTimeout());

        Assert.AreEqual(0, Watchers(supervisor), "the subscription must end with the failed call");
    }

    [TestMethod]
    public async Task A_watch_that_the_watcher_cancels_leaves_no_subscription_behind()
    {
        using var dir = new TempDirectory();
        await using var supervisor = new PluginSupervisor(EmbeddedSupervisor.Options(dir, ("echo", new PluginOptions { Version = "1.0.0" })));
        using var reloader = new ConfigurationReloader(supervisor, Path.Combine(dir.Path, "supervisor.json"), _ => { }, NullLogger.Instance);
        var endpoint = new AdminServiceEndpoint(supervisor, reloader);
        using var watcherGone = new CancellationTokenSource();

        var watch = endpoint.WatchEvents(new WatchEventsRequest { Plugin = "echo" }, new DiscardingWriter(), new HeadersFailContext(watcherGone.Token, failHeaders: false));
        Assert.AreEqual(1, Watchers(supervisor));
        await watcherGone.CancelAsync();
        await watch.DefaultTimeout();

        Assert.AreEqual(0, Watchers(supervisor));
    }

    // The hub keeps its watchers private and nothing public counts them; reflection is the only window on a leak.
    private static int Watchers(PluginSupervisor supervisor)
    {
        var hub = typeof(PluginSupervisor).GetField("_events", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(supervisor)!;
        return ((ICollection)hub.GetType().GetField("_watchers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(hub)!).Count;
    }

    private sealed class DiscardingWriter : IServerStreamWriter<LifecycleEvent>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(LifecycleEvent message) => Task.CompletedTask;
    }

    /// <summary>A call whose client went away before the headers could be sent (or, with <c>failHeaders: false</c>, a healthy one).</summary>
    private sealed class HeadersFailContext(CancellationToken cancellationToken = default, bool failHeaders = true) : ServerCallContext
    {
        protected override string MethodCore => "/supervisor.admin.v1.AdminService/WatchEvents";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "unix:test";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore { get; } = [];

        protected override CancellationToken CancellationTokenCore => cancellationToken;

        protected override Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) =>
            failHeaders ? Task.FromException(new IOException("the watcher went away")) : Task.CompletedTask;
    }
}
