using System.Diagnostics;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// The <c>handle</c> activity around the plugin's handler, a child of the supervisor's <c>dispatch</c> through the
/// <c>traceparent</c> header. Created only when the plugin subscribes (OpenTelemetry's <c>AddSource</c> with
/// <see cref="PluginHost.ActivitySourceName"/>); the trace id reaches the plugin's log lines either way.
/// </summary>
internal static class HandlerActivity
{
    private static readonly ActivitySource Source = new(PluginHost.ActivitySourceName, SdkVersion.Value);

    // StartActivity returns null at once when nobody listens.
    public static Activity? Start(string eventName, string eventId) =>
        Source.StartActivity("handle", ActivityKind.Internal)?.SetTag("event.name", eventName).SetTag("event.id", eventId);
}
