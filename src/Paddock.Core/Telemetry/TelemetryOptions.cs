namespace Paddock.Core.Telemetry;

/// <summary>Which OTLP transport the exporter uses.</summary>
public enum OtlpProtocol
{
    /// <summary>OTLP over HTTP with protobuf bodies (port 4318 by convention): <c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>.</summary>
    HttpProtobuf,

    /// <summary>OTLP over gRPC (port 4317 by convention).</summary>
    Grpc,
}

/// <summary>
/// Traces, metrics and where they go (section <c>Paddock:Telemetry</c>). OpenTelemetry's own environment variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, …) work too; a
/// setting here wins over them.
/// </summary>
public sealed class TelemetryOptions : Configuration.IValidatedSettings
{
    /// <summary>False: no OpenTelemetry at all (no spans recorded, no metrics collected, no scrape route).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The service name on every span and metric (<c>service.name</c>).</summary>
    public string ServiceName { get; set; } = "paddock";

    /// <summary>Where traces, metrics and logs are sent by OTLP, e.g. <c>http://collector:4318</c>; unset (and no <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>): nothing is sent.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP's transport (HttpProtobuf or Grpc).</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.HttpProtobuf;

    /// <summary>
    /// Serve a Prometheus scrape route at <see cref="PrometheusPath"/> on this process's listener. Off by default: the
    /// route needs no key, so turn it on where only the monitoring network reaches the port.
    /// </summary>
    public bool Prometheus { get; set; }

    /// <summary>The scrape route's path.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>How often the queue depth per model is read from the database for the <c>paddock.queue.depth</c> gauge.</summary>
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(ServiceName)) problems.Add($"{section}:ServiceName is empty; give the name this service has in your traces, e.g. paddock");
        if (OtlpEndpoint is { } endpoint && endpoint.Scheme is not ("http" or "https"))
            problems.Add($"{section}:OtlpEndpoint is '{endpoint}'; give the collector's http:// or https:// address, e.g. http://127.0.0.1:4318");
        if (!PrometheusPath.StartsWith('/') || PrometheusPath.Length < 2 || PrometheusPath.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{section}:PrometheusPath is '{PrometheusPath}'; give a path of its own starting with '/', outside /api/, e.g. /metrics");
        if (QueueDepthInterval <= TimeSpan.Zero)
            problems.Add($"{section}:QueueDepthInterval is {QueueDepthInterval}; it must be a positive time span such as 00:00:05");
    }
}
