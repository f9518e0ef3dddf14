using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Paddock.Fakes.Tests.Support;

/// <summary>
/// A plain web server on loopback holding reference images, as Paddock's signed file URLs would: files it has,
/// a 404 for files it has not, and <c>/slow/…</c>, which never answers (a host the provider cannot reach in time).
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string Type)> _files = new();

    private ImageServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<ImageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ImageServer(app);
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith("/slow/", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            if (!server._files.TryGetValue(path, out var file))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentType = file.Type;
            await context.Response.Body.WriteAsync(file.Bytes);
        });
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    public string Add(string path, byte[] bytes, string type = "image/png")
    {
        _files[path] = (bytes, type);
        return BaseUrl + path;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
