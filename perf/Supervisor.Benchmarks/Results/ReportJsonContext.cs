using System.Text.Json.Serialization;

namespace Supervisor.Benchmarks.Results;

/// <summary>Source-generated serialization of the report: no reflection, snake_case keys.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchmarkReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
