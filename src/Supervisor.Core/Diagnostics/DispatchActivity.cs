using System.Diagnostics;

namespace Supervisor.Diagnostics;

/// <summary>
/// The <c>dispatch</c> activity around one routed event. It exists only while someone listens; either way the
/// current activity's context travels to the plugin in the <c>traceparent</c> header of the plugin call, so the
/// plugin's handler and its log lines share the caller's trace id.
/// </summary>
internal static class DispatchActivity
{
    private static readonly ActivitySource Source = new(SupervisorTelemetry.ActivitySourceName, typeof(DispatchActivity).Assembly.GetName().Version?.ToString(3));

    // StartActivity returns null at once when nobody listens.
    public static Activity? Start(string plugin, string eventName) =>
        Source.StartActivity("dispatch", ActivityKind.Client)?.SetTag("plugin.name", plugin).SetTag("event.name", eventName);

    public static void Answered(Activity? activity, string version, string instanceId)
    {
        activity?.SetTag("plugin.version", version).SetTag("plugin.instance.id", instanceId).SetTag("dispatch.outcome", "ok");
    }

    // outcome: the dispatch.outcome value, as the router's metrics record it.
    public static void Failed(Activity? activity, string outcome, string message)
    {
        activity?.SetTag("dispatch.outcome", outcome).SetStatus(ActivityStatusCode.Error, message);
    }
}
