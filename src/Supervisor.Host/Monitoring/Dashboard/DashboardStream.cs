using System.Text;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// <c>GET /api/stream</c>: the page's live feed as server-sent events. <c>snapshot</c> first (plugins, charts, recent
/// events, latest hang dumps), then <c>lifecycle</c> for each event as it happens and <c>plugins</c> every second and
/// right after each event, so a restart shows on the page within a moment of happening.
/// </summary>
internal sealed class DashboardStream(PluginSupervisor supervisor, DashboardHistory history, DashboardAdminProxy admin)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    public async Task RunAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        // Subscribed before the snapshot is taken: no event falls between the two.
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = supervisor.WatchEventsAsync(cancellationToken: watch.Token).GetAsyncEnumerator(watch.Token);
        using var writing = new SemaphoreSlim(1, 1);
        try
        {
            var plugins = supervisor.ListPlugins();
            var dumps = plugins.Select(p => supervisor.GetHangDump(p.Name)).OfType<HangDump>();
            await SendAsync(context, writing, "snapshot", DashboardJson.Snapshot(plugins, history.Trends(), history.Events(), dumps, admin.Enabled), cancellationToken).ConfigureAwait(false);
            var ticking = TickAsync(context, writing, cancellationToken);
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                await SendAsync(context, writing, "lifecycle", DashboardJson.Event(events.Current), cancellationToken).ConfigureAwait(false);
                await SendPluginsAsync(context, writing, cancellationToken).ConfigureAwait(false);
            }

            await ticking.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away mid-write.
        }
        finally
        {
            await watch.CancelAsync().ConfigureAwait(false);
            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task TickAsync(HttpContext context, SemaphoreSlim writing, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await SendPluginsAsync(context, writing, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task SendPluginsAsync(HttpContext context, SemaphoreSlim writing, CancellationToken cancellationToken) =>
        SendAsync(context, writing, "plugins", DashboardJson.Update(supervisor.ListPlugins(), history.Trends()), cancellationToken);

    private static async Task SendAsync(HttpContext context, SemaphoreSlim writing, string name, byte[] json, CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var body = context.Response.Body;
            await body.WriteAsync(Encoding.UTF8.GetBytes($"event: {name}\ndata: "), cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }
    }
}
