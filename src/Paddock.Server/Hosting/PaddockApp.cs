using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Paddock.Core.Configuration;
using Paddock.Core.Hosting;
using Paddock.Core.Storage;
using Paddock.Engines.Builtin;
using Paddock.Engines.Upstream;
using Paddock.Engines.ComfyUI;
using Paddock.Engines.HappyHorse;
using Paddock.Media;
using Paddock.Server.Endpoints;
using Paddock.Server.Endpoints.Admin;
using Paddock.Server.Endpoints.OpenAI;
using Paddock.Server.Http;
using Paddock.Server.Observability;
using Paddock.Server.OpenApi;
using Paddock.Storage.Postgres;
using Paddock.Storage.S3;
using Paddock.Storage.Sqlite;

namespace Paddock.Server.Hosting;

/// <summary>
/// The composition root: which storage, blob store and engines a process runs with, and the HTTP surface of its role.
/// Every command (serve, worker, keys, render) builds from here, so they all read the same configuration.
/// </summary>
public static class PaddockApp
{
    /// <summary>Where a role listens when <c>--urls</c> is not given.</summary>
    public static string DefaultUrls(PaddockRole role) => role == PaddockRole.Worker ? "http://127.0.0.1:8090" : "http://127.0.0.1:8080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, PaddockRole role = PaddockRole.ApiAndWorkers)
    {
        // Settings are read once at start (nothing here follows a later change to appsettings.json), so its folder is not
        // watched: the watch covers every folder below the one the process starts in, which for a service started in /
        // was the whole file system (tens of thousands of inotify watches, seconds of start-up).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false", .. args] });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrls(role));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestBody.MaxJsonBytes);
        // Kestrel's transport takes its buffers from here, and the event fan-out waits for them: a burst to every stream
        // neither needs nor keeps a buffer per stream.
        builder.Services.AddSingleton<TransportBuffers>();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(sp => sp.GetRequiredService<TransportBuffers>());
        builder.Services.AddSingleton<Paddock.Core.Events.IFanOutPacer>(sp => sp.GetRequiredService<TransportBuffers>());
        // The start banner says where Paddock listens; ASP.NET's own start-up lines only repeat it.
        if (builder.Configuration["Logging:LogLevel:Microsoft.Hosting.Lifetime"] is null)
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddPaddockServices(role);
        builder.Services.AddPaddockHealth(role);
        builder.AddPaddockTelemetry(role);
        configure?.Invoke(builder);

        var app = builder.Build();
        if (role == PaddockRole.Worker)
        {
            app.MapHealthEndpoints(role: "worker");
            app.MapPaddockMetrics();
        }
        else UsePaddock(app);
        return app;
    }

    /// <summary>
    /// The services of <paramref name="role"/>: Core with the storage <c>Paddock:Storage:Provider</c> chooses (SQLite by
    /// default, or PostgreSQL), the blob store <c>Paddock:Blobs:Provider</c> chooses (local disk by default, or S3) and the engines, plus the workers and the HTTP surface where the role has
    /// them. Every settings class is registered whatever the role and the storage, so a setting one role ignores is still
    /// checked (and a typo still reported) wherever it is given.
    /// </summary>
    public static IServiceCollection AddPaddockServices(this IServiceCollection services, PaddockRole role)
    {
        services.AddPaddockCore().AddSqliteStorage().AddPostgresStorage().AddLocalDiskBlobs().AddS3Blobs().AddPaddockMedia().AddBuiltinEngine();
        services.AddUpstreamEngine();
        services.AddComfyUIEngine();
        services.AddHappyHorseEngine();
        services.AddSettings<PaddockOptions>("Paddock", sharedSection: true);
        // Read by the health routes of serve and worker; registered for every command, so each checks it the same way.
        services.AddSettings<HealthOptions>("Paddock:Health");
        if (role != PaddockRole.Api) services.AddPaddockWorkers();
        services.AddWebhookDelivery();
        if (role != PaddockRole.Worker) services.AddPaddockHttp();
        return services;
    }

    /// <summary>The HTTP API's own services: signed URLs, the first key, and how JSON is written.</summary>
    private static IServiceCollection AddPaddockHttp(this IServiceCollection services)
    {
        services.AddSingleton<SignedUrls>();
        services.AddSingleton<ApiKeyResolver>();
        services.AddSingleton<ListeningOutputLinks>();
        services.AddSingleton<Paddock.Core.Webhooks.IWebhookOutputLinks>(sp => sp.GetRequiredService<ListeningOutputLinks>());
        services.AddSingleton<EventFrames>();
        services.AddSingleton<GenerationJson>();
        services.AddBodyMemoryBudget();
        services.AddPaddockOpenApi();
        services.AddHostedService<FirstStart>();
        services.AddHostedService<SelfHostsRegistration>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return services;
    }

    public static void UsePaddock(WebApplication app)
    {
        // Outermost: every error of the /v1 face, whoever made it below, leaves in that API's shape.
        app.UseMiddleware<OpenAIErrorShape>();
        // Any unexpected exception still answers with the envelope; bad input never gets here.
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var result = error switch
            {
                BadHttpRequestException bad => ApiErrors.UnreadableBody(bad),
                // The database is restarting or out of reach: nothing of this request was acknowledged, and a retry will do.
                StorageUnavailableException unavailable => ApiErrors.StorageUnavailable(context.Response, unavailable),
                // No room to store it: nothing of this request was acknowledged either; it succeeds again once space frees.
                _ when StorageFull.IsCause(error) => ApiErrors.StorageFull(),
                _ => ApiErrors.Unknown("an unexpected error occurred; it has been logged"),
            };
            await result.ExecuteAsync(context);
        }));
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            if (context.Response.HasStarted || context.Response.ContentLength > 0) return;
            var result = context.Response.StatusCode switch
            {
                404 => ApiErrors.NotFound($"no route {context.Request.Method} {context.Request.Path}"),
                405 => ApiErrors.MethodNotAllowed($"{context.Request.Method} is not allowed on {context.Request.Path}"),
                _ => null,
            };
            if (result is not null) await result.ExecuteAsync(context);
        });
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseMiddleware<QuotaEnforcement>();

        app.MapHealthEndpoints();
        app.MapPaddockMetrics();
        app.MapModelEndpoints();
        app.MapGenerateEndpoints();
        app.MapQueueEndpoints();
        app.MapEventEndpoints();
        app.MapOutputEndpoints();
        app.MapReferenceEndpoints();
        app.MapFileEndpoints();
        app.MapWebhookEndpoints();
        app.MapWorkbenchEndpoints();
        app.MapUsageEndpoints();
        app.MapAdminNamespaceEndpoints();
        app.MapAdminKeyEndpoints();
        app.MapAdminOverviewEndpoints();
        app.MapPaddockOpenApi();
        app.MapOpenAIEndpoints();
    }
}
