using System.Text.Json.Serialization;

namespace Supervisor.Deployments;

/// <summary>The content of <c>StateDirectory/state.json</c>: what operators rolled each plugin to.</summary>
internal sealed class DesiredState
{
    /// <summary>The file format; a reader refuses a format it does not know rather than guess.</summary>
    public int Format { get; set; } = DesiredStateStore.CurrentFormat;

    public Dictionary<string, PluginDesiredState> Plugins { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One plugin's rolled state.</summary>
/// <param name="ActiveVersion">The version the last roll (or rollback) made active.</param>
/// <param name="PreviousVersion">The version a rollback returns to.</param>
/// <param name="ConfiguredVersion">The configuration's <c>Version</c> when that happened: a configuration changed since then wins over the roll.</param>
/// <param name="UpdatedAt">When the roll moved traffic, or the plugin was scaled.</param>
/// <param name="Scale">The instance count an operator scaled the plugin to, or <see langword="null"/>.</param>
internal sealed record PluginDesiredState(string ActiveVersion, string? PreviousVersion, string ConfiguredVersion, DateTimeOffset UpdatedAt, PluginScale? Scale = null);

/// <summary>An operator's <c>ScalePlugin</c>, kept until the configuration's own <c>Instances</c> changes.</summary>
/// <param name="Instances">The instance count scaled to.</param>
/// <param name="ConfiguredInstances">The configuration's <c>Instances</c> when that happened: a configuration changed since then wins.</param>
internal sealed record PluginScale(int Instances, int ConfiguredInstances);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(DesiredState))]
internal sealed partial class DesiredStateJsonContext : JsonSerializerContext;
