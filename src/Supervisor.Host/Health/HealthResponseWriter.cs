using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervisor.Host.Health;

/// <summary>
/// Writes a probe's answer as one JSON object, <c>{"status":"Healthy","checks":{"echo":{"status":…,"description":…}}}</c>,
/// so <c>curl /readyz</c> says which plugin holds readiness back.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description ?? entry.Exception?.Message ?? string.Empty);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
