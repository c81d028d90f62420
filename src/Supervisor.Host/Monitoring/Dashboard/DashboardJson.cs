using System.Text.Json;
using Google.Protobuf;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// The JSON the page reads. Admin API messages are written in their proto3 JSON form (the names a gRPC-Web or
/// <c>supervisorctl --json</c> user sees), so a field the admin API gains appears on the page without a change here.
/// </summary>
internal static class DashboardJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Everything the page draws when it connects.</summary>
    public static byte[] Snapshot(IReadOnlyList<PluginInfo> plugins, IReadOnlyDictionary<string, TrendPoint[]> trends, IEnumerable<LifecycleEvent> events, IEnumerable<HangDump> dumps, bool actionsEnabled) =>
        Write(json =>
        {
            json.WriteBoolean("actionsEnabled", actionsEnabled);
            WritePlugins(json, plugins);
            json.WriteStartObject("trends");
            foreach (var (plugin, points) in trends)
            {
                json.WriteStartArray(plugin);
                foreach (var point in points)
                {
                    WritePoint(json, point);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            WriteMessages(json, "events", events);
            WriteMessages(json, "dumps", dumps);
        });

    /// <summary>The plugins as they are now, and each plugin's newest chart point.</summary>
    public static byte[] Update(IReadOnlyList<PluginInfo> plugins, IReadOnlyDictionary<string, TrendPoint[]> trends) =>
        Write(json =>
        {
            WritePlugins(json, plugins);
            json.WriteStartObject("latest");
            foreach (var (plugin, points) in trends)
            {
                if (points.Length > 0)
                {
                    json.WritePropertyName(plugin);
                    WritePoint(json, points[^1]);
                }
            }

            json.WriteEndObject();
        });

    public static byte[] Event(LifecycleEvent lifecycleEvent) => System.Text.Encoding.UTF8.GetBytes(Formatter.Format(lifecycleEvent));

    private static void WritePlugins(Utf8JsonWriter json, IReadOnlyList<PluginInfo> plugins) => WriteMessages(json, "plugins", plugins);

    private static void WriteMessages<T>(Utf8JsonWriter json, string name, IEnumerable<T> messages)
        where T : IMessage
    {
        json.WriteStartArray(name);
        foreach (var message in messages)
        {
            json.WriteRawValue(Formatter.Format(message), skipInputValidation: true);
        }

        json.WriteEndArray();
    }

    private static void WritePoint(Utf8JsonWriter json, TrendPoint point)
    {
        json.WriteStartObject();
        json.WriteNumber("t", point.Time.ToUnixTimeMilliseconds());
        json.WriteNumber("callsPerSecond", Math.Round(point.CallsPerSecond, 2));
        json.WriteNumber("p99Ms", Math.Round(point.P99Milliseconds, 3));
        json.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
