using System.Text.Json.Serialization;

namespace Supervisor.Benchmarks.Results;

/// <summary>Source-generated serialization of the results files: no reflection, snake_case keys.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchmarkReport))]
[JsonSerializable(typeof(PublishModes.PublishModeReport))]
[JsonSerializable(typeof(Soak.SoakReport))]
[JsonSerializable(typeof(Sdks.SdkReport))]
[JsonSerializable(typeof(Sandboxes.SandboxReport))]
[JsonSerializable(typeof(ScaleFigures))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
