using System.Reflection;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// The operator's dashboard on the monitoring listener: the page at <c>/</c> and its script and style (embedded in this
/// assembly: it works with no internet), its live feed and its actions. Reading needs no token, like <c>/metrics</c>
/// beside it; acting needs the admin token (docs/operations.md, "Dashboard").
/// </summary>
internal static class DashboardEndpoints
{
    // Only what the supervisor serves: no script, style or connection anywhere else, and no framing by another site.
    private const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly (string Path, string Resource, string ContentType)[] Assets =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/dashboard/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/dashboard/app.css", "app.css", "text/css; charset=utf-8"),
    ];

    public static void AddDashboard(this IServiceCollection services, PluginSupervisor supervisor, DashboardAdminProxy admin)
    {
        services.AddSingleton(supervisor);
        services.AddSingleton(admin);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DashboardHistory>();
        services.AddHostedService(provider => provider.GetRequiredService<DashboardHistory>());
        services.AddSingleton<DashboardStream>();
    }

    public static void MapDashboard(this WebApplication app)
    {
        foreach (var (path, resource, contentType) in Assets)
        {
            var content = Load(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }

        app.MapGet("/api/stream", (HttpContext context, DashboardStream stream) => stream.RunAsync(context));
        app.MapPost("/api/actions/{action}", (string action, HttpContext context, DashboardAdminProxy admin) => DashboardActions.RunAsync(action, context, admin));
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard/" + name)
            ?? throw new InvalidOperationException($"the dashboard asset '{name}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
