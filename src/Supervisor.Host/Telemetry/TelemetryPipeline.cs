using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Supervisor.Diagnostics;

namespace Supervisor.Host.Telemetry;

/// <summary>
/// The process's OpenTelemetry providers. Metrics go to the Prometheus scrape endpoint when the monitoring listener
/// is on, and to OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; traces go to OTLP only (there is nowhere else
/// to send them). The OTLP exporter reads the standard <c>OTEL_*</c> variables itself (endpoint, protocol, headers,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>).
/// </summary>
internal sealed class TelemetryPipeline : IDisposable
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string ServiceName = "plugin-supervisor";
    private readonly TracerProvider? _tracer;

    private TelemetryPipeline(MeterProvider? meters, TracerProvider? tracer)
    {
        Meters = meters;
        _tracer = tracer;
    }

    /// <summary>Gets the meter provider the scrape endpoint reads; <see langword="null"/> when nothing exports metrics.</summary>
    public MeterProvider? Meters { get; }

    /// <summary>Gets whether traces and metrics also go to an OTLP collector.</summary>
    public bool ExportsOtlp { get; private init; }

    public static TelemetryPipeline Create(bool prometheus)
    {
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        // The environment detector again after AddService, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
        var resource = ResourceBuilder.CreateDefault()
            .AddService(ServiceName, serviceVersion: typeof(TelemetryPipeline).Assembly.GetName().Version?.ToString(3))
            .AddEnvironmentVariableDetector();
        MeterProvider? meters = null;
        if (prometheus || otlp)
        {
            var builder = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(SupervisorTelemetry.MeterName)
                // .NET's own runtime meter: GC, thread pool, CPU and memory of the supervisor process.
                .AddMeter("System.Runtime");
            if (prometheus)
            {
                builder.AddPrometheusExporter();
            }

            if (otlp)
            {
                builder.AddOtlpExporter();
            }

            meters = builder.Build();
        }

        var tracer = otlp
            ? Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(SupervisorTelemetry.ActivitySourceName)
                .AddSource("Microsoft.AspNetCore")
                .AddOtlpExporter()
                .Build()
            : null;
        return new TelemetryPipeline(meters, tracer) { ExportsOtlp = otlp };
    }

    public void Dispose()
    {
        _tracer?.Dispose();
        Meters?.Dispose();
    }
}
