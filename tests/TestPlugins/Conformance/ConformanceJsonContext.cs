using System.Text.Json.Serialization;

/// <summary>Source-generated JSON for the <c>settings</c> reply (no reflection).</summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class ConformanceJsonContext : JsonSerializerContext;
