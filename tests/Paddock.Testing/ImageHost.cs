using Microsoft.AspNetCore.Hosting;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Paddock.Testing;

/// <summary>A plain web server on loopback that hosts reference images, standing in for the web where users keep theirs.</summary>
public sealed class ImageHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string Type)> _files = new();
    private int _requests;

    private ImageHost(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public int Requests => _requests;

    public static async Task<ImageHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var host = new ImageHost(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref host._requests);
            if (!host._files.TryGetValue(context.Request.Path.Value ?? "", out var file))
            {
                context.Response.StatusCode = 404;
                return;
            }
            context.Response.ContentType = file.Type;
            await context.Response.Body.WriteAsync(file.Bytes);
        });
        await app.StartAsync();
        host.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return host;
    }

    public string Add(string path, byte[] bytes, string contentType = "image/png")
    {
        _files[path] = (bytes, contentType);
        return BaseUrl + path;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Reference images drawn for a test: a coloured figure on a plain ground, like a product shot.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height, SKColor figure, SKColor ground) => Encode(width, height, figure, ground, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width, int height, SKColor figure, SKColor ground) => Encode(width, height, figure, ground, SKEncodedImageFormat.Jpeg);

    private static byte[] Encode(int width, int height, SKColor figure, SKColor ground, SKEncodedImageFormat format)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(ground);
        using var paint = new SKPaint { Color = figure, IsAntialias = true };
        canvas.DrawCircle(width / 2f, height * 0.4f, Math.Min(width, height) * 0.2f, paint);
        canvas.DrawRect(width * 0.35f, height * 0.55f, width * 0.3f, height * 0.3f, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
