using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>The body of an action request.</summary>
internal sealed class ActionRequest
{
    public string Plugin { get; set; } = string.Empty;

    public string InstanceId { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;

    public string? Strategy { get; set; }
}

/// <summary>The answer to an action.</summary>
internal sealed record ActionAnswer(bool Ok, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ActionRequest))]
[JsonSerializable(typeof(ActionAnswer))]
internal sealed partial class DashboardActionJsonContext : JsonSerializerContext;
