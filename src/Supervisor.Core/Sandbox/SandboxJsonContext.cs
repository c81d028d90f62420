using System.Text.Json.Serialization;

namespace Supervisor.Sandbox;

[JsonSerializable(typeof(Dictionary<string, uint>))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
