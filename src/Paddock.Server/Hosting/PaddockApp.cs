using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Orchestration;
using Paddock.Core.Queue;
using Paddock.Core.References;
using Paddock.Core.Security;
using Paddock.Core.Storage;
using Paddock.Engines.Builtin;
using Paddock.Server.Endpoints;
using Paddock.Server.Http;
using Paddock.Storage.Sqlite;

namespace Paddock.Server.Hosting;

/// <summary>Builds the Paddock server: one process with the API and its workers (the default role).</summary>
public static class PaddockApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestBody.MaxJsonBytes);
        // The start banner says where Paddock listens; ASP.NET's own start-up lines only repeat it.
        if (builder.Configuration["Logging:LogLevel:Microsoft.Hosting.Lifetime"] is null)
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        AddPaddock(builder.Services);
        configure?.Invoke(builder);

        var app = builder.Build();
        UsePaddock(app);
        return app;
    }

    public static void AddPaddock(IServiceCollection services)
    {
        services.AddOptions<PaddockOptions>().BindConfiguration("Paddock").ValidateOnStart();
        services.AddSingleton<IValidateOptions<PaddockOptions>, OwnAddressValidation>();
        services.AddOptions<WorkerOptions>().BindConfiguration("Paddock:Workers").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReferenceFetchOptions>().BindConfiguration("Paddock:References");
        services.AddOptions<BuiltinEngineOptions>().BindConfiguration("Paddock:Engines:Builtin");
        services.AddOptions<Paddock.Core.Files.FileOptions>().BindConfiguration("Paddock:Files");

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PaddockOptions>>().Value;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.DatabaseFile))!);
            return new SqliteStore(options.DatabaseFile, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IGenerationStore>(sp => sp.GetRequiredService<SqliteStore>().Generations);
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<SqliteStore>().Events);
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqliteStore>().ApiKeys);
        services.AddSingleton<IBlobStore>(sp => new LocalDiskBlobStore(sp.GetRequiredService<IOptions<PaddockOptions>>().Value.BlobRoot));
        services.AddLeftoverReclaiming();

        services.AddSingleton(sp => ModelCatalog.LoadBuiltIn(sp.GetRequiredService<IOptions<PaddockOptions>>().Value.ModelEngines));
        services.AddSingleton<IVideoEngine>(sp => new BuiltinVideoEngine(sp.GetRequiredService<IOptions<BuiltinEngineOptions>>().Value));
        services.AddSingleton<EngineRegistry>();
        services.AddSingleton<IFileStore>(sp => sp.GetRequiredService<SqliteStore>().Files);
        services.AddSingleton<FileService>();
        services.AddSingleton<SelfHosts>();
        services.AddSingleton<ILocalReferenceSource, LocalFileReferences>();
        services.AddSingleton<InlineImages>();
        services.AddSingleton(sp => new ReferenceFetcher(sp.GetRequiredService<IOptions<ReferenceFetchOptions>>().Value, sp.GetRequiredService<ILocalReferenceSource>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<InlineImages>()));

        services.AddSingleton<QueueSignal>();
        services.AddSingleton<CancellationHub>();
        services.AddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());
        services.AddSingleton<GenerationProcessor>();
        services.AddSingleton<WorkerShutdown>();
        services.AddHostedService<WorkerPool>();
        services.AddSingleton<GenerationService>();
        services.AddSingleton<ApiKeyService>();

        services.AddSingleton<SigningKey>();
        services.AddSingleton(sp => new UrlSigner(sp.GetRequiredService<SigningKey>().Bytes, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SignedUrls>();
        services.AddBodyMemoryBudget();
        services.AddHostedService<FirstStart>();
        services.AddHostedService<SelfHostsRegistration>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    public static void UsePaddock(WebApplication app)
    {
        // Any unexpected exception still answers with the envelope; bad input never gets here.
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var result = error is BadHttpRequestException bad ? ApiErrors.UnreadableBody(bad)
                : StorageFull.IsCause(error) ? ApiErrors.StorageFull()
                : ApiErrors.Unknown("an unexpected error occurred; it has been logged");
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

        app.MapGet("/api/health", () => TypedResults.Ok(new { status = "ok" }));
        app.MapModelEndpoints();
        app.MapGenerateEndpoints();
        app.MapQueueEndpoints();
        app.MapEventEndpoints();
        app.MapOutputEndpoints();
        app.MapFileEndpoints();
        app.MapWorkbenchEndpoints();
    }
}
