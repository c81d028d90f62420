namespace Supervisor.Benchmarks.Scenarios;

/// <summary>The scenario names, which are also the keys of the results file.</summary>
internal static class ScenarioNames
{
    public const string Floor = "floor_grpc_uds";
    public const string Embedded = "embedded";
    public const string EventsApi = "events_api";
    public const string InProcessDirect = "inprocess_direct";
    public const string HangRecovery = "hang_recovery_ms";
}
