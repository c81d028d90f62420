namespace Supervisor.Benchmarks.Scenarios;

/// <summary>The scenario names, which are also the keys of the results file.</summary>
internal static class ScenarioNames
{
    public const string Floor = "floor_grpc_uds";
    public const string FloorComposite = "floor_grpc_uds_composite";
    public const string Embedded = "embedded";
    public const string EventsApi = "events_api";
    public const string InProcessDirect = "inprocess_direct";
    public const string InProcessPollyTcs = "inprocess_polly_tcs";
    public const string HangRecovery = "hang_recovery_ms";
    public const string PluginStart = "plugin_start_ms";
    public const string PluginRss = "plugin_rss_mb";
    public const string SupervisorRss = "supervisor_rss_mb";
    public const string AllocationPerDispatch = "alloc_bytes_per_dispatch";
    public const string Scale = "scale_100";
    public const string Roll = "roll";
    public const string Payload = "payload";
    public const string Instances = "instances";
}
