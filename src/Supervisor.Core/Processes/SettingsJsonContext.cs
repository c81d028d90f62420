using System.Text.Json.Serialization;

namespace Supervisor.Processes;

[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class SettingsJsonContext : JsonSerializerContext;
