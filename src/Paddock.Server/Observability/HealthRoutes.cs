using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Paddock.Server.Hosting;

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
        // Live runs no check: a process that answers is alive; a database that is down is not cured by a restart.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
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
