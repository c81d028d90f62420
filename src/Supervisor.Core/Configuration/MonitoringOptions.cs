namespace Supervisor.Configuration;

/// <summary>
/// The <c>Supervisor:Monitoring</c> section: the plain HTTP listener for Kubernetes probes (<c>/healthz</c>,
/// <c>/readyz</c>) and the Prometheus scrape (<c>/metrics</c>).
/// </summary>
public sealed class MonitoringOptions
{
    /// <summary>
    /// Gets or sets the listen address, <c>http://host:port</c>. Defaults to <c>http://127.0.0.1:9464</c>, the
    /// port OpenTelemetry registered for Prometheus exporters; an empty string turns the listener off.
    /// </summary>
    public string Listen { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Gets whether the listener is on.</summary>
    public bool Enabled => Listen.Length > 0;
}
