using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// A web server on a loopback address (any of 127.0.0.0/8) whose paths answer as a test scripts
/// them: plain files with or without validators, redirects, servers that stall or trickle. It
/// counts every request and every response that carried a body.
/// </summary>
public sealed class ScriptedHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private int _bodies;

    private ScriptedHost(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public int Port { get; private set; }

    /// <summary>Responses that sent a 200 with body bytes: real downloads, as opposed to 304s and redirects.</summary>
    public int BodiesSent => Volatile.Read(ref _bodies);

    public int TotalRequests => _requests.Values.Sum();

    public int RequestsTo(string path) => _requests.GetValueOrDefault(path);

    public static async Task<ScriptedHost> StartAsync(string address = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{address}:0");
        builder.Logging.ClearProviders();
        // A handler still trickling when the test ends must not hold its clean-up for long.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var host = new ScriptedHost(app);
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            host._requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (host._routes.TryGetValue(path, out var route)) await route(context);
            else context.Response.StatusCode = 404;
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        host.BaseUrl = url;
        host.Port = new Uri(url).Port;
        return host;
    }

    public string Map(string path, RequestDelegate handler)
    {
        _routes[path] = handler;
        return BaseUrl + path;
    }

    /// <summary>Serves bytes, with an ETag (answering If-None-Match with 304) when one is given, and with a Content-Length unless <paramref name="chunked"/>.</summary>
    public string Serve(string path, byte[] bytes, string contentType = "image/png", string? etag = null, bool chunked = false) =>
        Map(path, async context =>
        {
            if (etag is not null)
            {
                context.Response.Headers.ETag = etag;
                if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                {
                    context.Response.StatusCode = 304;
                    return;
                }
            }
            context.Response.ContentType = contentType;
            if (!chunked) context.Response.ContentLength = bytes.Length;
            Interlocked.Increment(ref _bodies);
            await context.Response.Body.WriteAsync(bytes);
        });

    public string Redirect(string path, string location) =>
        Map(path, context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
