using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Paddock.Core.Telemetry;
using Paddock.Server.Hosting;

namespace Paddock.Server.Observability;

/// <summary>
/// OpenTelemetry for a Paddock process: Paddock's spans and metrics with ASP.NET Core's, HttpClient's (reference
/// fetches, remote providers) and Npgsql's; exported by OTLP when an endpoint is set (the setting, or OpenTelemetry's
/// own <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), scraped by Prometheus when that is turned on.
/// </summary>
public static class TelemetrySetup
{
    private const string Section = "Paddock:Telemetry";

    /// <summary>
    /// Registers the providers. What to register is read from configuration now (a provider cannot be added once the
    /// host is built); each value is checked, with a message naming it, by <see cref="TelemetryOptions"/> at start, so
    /// an unreadable value here only falls back to its default until that check stops the start.
    /// </summary>
    public static void AddPaddockTelemetry(this WebApplicationBuilder builder, PaddockRole role)
    {
        var configuration = builder.Configuration;
        if (!Flag(configuration[$"{Section}:Enabled"], true)) return;
        var otlp = Uri.TryCreate(configuration[$"{Section}:OtlpEndpoint"], UriKind.Absolute, out var endpoint) ? endpoint : null;
        var exportOtlp = otlp is not null || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var grpc = string.Equals(configuration[$"{Section}:OtlpProtocol"], nameof(OtlpProtocol.Grpc), StringComparison.OrdinalIgnoreCase);
        var prometheus = Flag(configuration[$"{Section}:Prometheus"], false);
        var serviceName = configuration[$"{Section}:ServiceName"] is { Length: > 0 } named ? named
            : string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]) ? "paddock" : null;

        var scrapePath = new PathString(configuration[$"{Section}:PrometheusPath"] is { Length: > 1 } path && path.StartsWith('/') ? path : "/metrics");

        void Otlp(OtlpExporterOptions o, string signal)
        {
            if (otlp is null) return; // OpenTelemetry's environment variables configure it
            o.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            // An endpoint set in code is used as given: over HTTP, each signal's path is added here, as the
            // environment variable's base address would have it.
            o.Endpoint = grpc ? otlp : new Uri(otlp, otlp.AbsolutePath.TrimEnd('/') + "/v1/" + signal);
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (serviceName is not null) resource.AddService(serviceName);
                resource.AddAttributes([new("paddock.role", role.ToString())]);
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(PaddockDiagnostics.Name)
                    // The health and scrape routes are polled every few seconds: they would bury the traces that matter.
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path, scrapePath))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (exportOtlp) tracing.AddOtlpExporter(o => Otlp(o, "traces"));
                // With nothing to send spans to, none is recorded: each still has its ids (the logs' TraceId, the traceparent
                // a row keeps for its worker), but no tags or timings are gathered only to be dropped.
                else tracing.SetSampler(new AlwaysOffSampler());
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PaddockDiagnostics.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (exportOtlp) metrics.AddOtlpExporter(o => Otlp(o, "metrics"));
                if (prometheus) metrics.AddPrometheusExporter();
            });
        if (exportOtlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                // The generation id of a worker's lines comes from its logging scope.
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.WithLogging(logging => logging.AddOtlpExporter(o => Otlp(o, "logs")));
        }
    }

    /// <summary>The Prometheus scrape route, where <c>Paddock:Telemetry:Prometheus</c> turned it on.</summary>
    public static void MapPaddockMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value;
        // Not an API route, so not in the OpenAPI document: Prometheus's own text format for a scraper, at a path the
        // operator chooses, off by default (the document stays the same whether it is on or off).
        if (options.Enabled && options.Prometheus) app.MapPrometheusScrapingEndpoint(options.PrometheusPath).ExcludeFromDescription();
    }

    private static bool IsProbe(PathString path, PathString scrapePath) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/api/health") || path.StartsWithSegments(scrapePath);

    private static bool Flag(string? value, bool fallback) => bool.TryParse(value, out var parsed) ? parsed : fallback;
}
