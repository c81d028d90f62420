using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Continues the caller's W3C trace (<c>traceparent</c>, <c>tracestate</c>) for the length of a call, as ASP.NET
/// Core's hosting layer did for the shim: a plain <see cref="Activity"/>, started whether or not anything listens, so
/// the handler's log lines carry the caller's trace id and the <c>handle</c> activity (<see cref="HandlerActivity"/>)
/// is its child.
/// </summary>
internal static class TraceContext
{
    private const string ActivityName = "supervisor.plugin.v1.PluginService/HandleEvent";

    /// <summary>Starts the call's activity; null when the call carries no valid trace context.</summary>
    public static Activity? Continue(IHeaderDictionary headers)
    {
        var traceParent = headers.TraceParent;
        if (traceParent.Count != 1 || !ActivityContext.TryParse(traceParent[0], headers.TraceState.ToString(), isRemote: true, out var parent))
        {
            return null;
        }

        var activity = new Activity(ActivityName);
        activity.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
        activity.TraceStateString = parent.TraceState;
        return activity.Start();
    }
}
