using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Paddock.Server.Hosting;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Observability;

/// <summary>
/// <c>/health/live</c> (the process answers: restart it when this fails) and <c>/health/ready</c> (it can do its work
/// now: send it traffic while this answers 200), on Microsoft's health checks. No key needed; the body names each check,
/// its state and, when it fails, why.
/// </summary>
public static class HealthRoutes
{
    private const string Ready = "ready";

    public static IServiceCollection AddPaddockHealth(this IServiceCollection services, PaddockRole role)
    {
        services.AddSingleton<Draining>();
        services.AddHostedService(sp => sp.GetRequiredService<Draining>());
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<IOptions<HealthOptions>>((checks, health) =>
        {
            foreach (var registration in checks.Registrations) registration.Timeout = health.Value.CheckTimeout;
        });
        var checks = services.AddHealthChecks()
            .AddCheck<StoppingHealthCheck>("stopping", tags: [Ready])
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<BlobStoreHealthCheck>("blob_store", tags: [Ready]);
        // Only a process that renders needs ffmpeg.
        if (role != PaddockRole.Api) checks.AddCheck<FfmpegHealthCheck>("ffmpeg", tags: [Ready]);
        checks.AddCheck<BackendsHealthCheck>("backends", tags: [Ready]);
        return services;
    }

    public static void MapPaddockHealthChecks(this IEndpointRouteBuilder app)
    {
        // Handlers of GET and HEAD (what probes send) rather than MapHealthChecks, whose route answers every method and
        // so is invisible to the OpenAPI document; any other method is a 405 with the envelope.
        string[] probe = [HttpMethods.Get, HttpMethods.Head];
        // Live runs no check: a process that answers is alive; a database that is down is not cured by a restart.
        app.MapMethods("/health/live", probe, (HttpContext context, HealthCheckService checks) => AnswerAsync(context, checks, _ => false))
            .WithTags("Health")
            .Doc("GetLiveness", "The process answers", "For a liveness probe: no check runs, so 200 unless the process is stuck; restart it when this fails.")
            .Returns(200, ApiSchemas.HealthReport);
        app.MapMethods("/health/ready", probe, (HttpContext context, HealthCheckService checks) => AnswerAsync(context, checks, c => c.Tags.Contains(Ready)))
            .WithTags("Health")
            .Doc("GetReadiness", "The process can do its work now",
                "For a readiness probe or a load balancer: the database, the blob store, ffmpeg (where it renders) and the backends are checked; "
                + "503 while any fails or the server is draining, with reason naming the first failure.")
            .Returns(200, ApiSchemas.HealthReport, description: "Ready: every check healthy or degraded")
            .Returns(503, ApiSchemas.HealthReport, description: "Not ready (a check failed, or the server is draining); reason says why");
    }

    /// <summary>As the health-check middleware answers: 503 when unhealthy, 200 when healthy or degraded.</summary>
    private static async Task AnswerAsync(HttpContext context, HealthCheckService checks, Func<HealthCheckRegistration, bool> predicate)
    {
        var report = await checks.CheckHealthAsync(predicate, context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        await WriteAsync(context, report);
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Value.Status).ToList();
        var body = new JsonObject
        {
            ["status"] = Name(report.Status),
            // The first reason it is not healthy, in one line (the worst first); every check follows.
            ["reason"] = failing.Count == 0 ? null : string.Join("; ", failing.Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? Name(e.Value.Status)}")),
            ["checks"] = new JsonObject(report.Entries.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonObject
            {
                ["status"] = Name(e.Value.Status),
                ["description"] = e.Value.Description ?? e.Value.Exception?.Message,
                ["duration_ms"] = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }))),
        };
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
