using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Fakes.ComfyUI.Endpoints;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI;

/// <summary>
/// A fake ComfyUI server on a real socket: the routes, field names, error bodies and WebSocket message order of a
/// real one (facts and sources: docs/providers/comfyui.md), with real small videos as outputs and knobs for the
/// ways a real one fails. Tests start it in process; the program in this project runs it for users.
/// </summary>
public sealed class FakeComfyUI : IAsyncDisposable
{
    private readonly FakeFolders _folders;
    private readonly bool _ownsRoot;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private ServerState? _state;
    private Task _starting = Task.CompletedTask;

    private FakeComfyUI(FakeComfyUIOptions options, TimeProvider time)
    {
        Options = options;
        _time = time;
        _ownsRoot = options.RootDirectory is null;
        _folders = new FakeFolders(options.RootDirectory ?? Path.Combine(Path.GetTempPath(), $"fake-comfyui-{Guid.NewGuid():N}"));
        Log = new FakeComfyUILog(time);
    }

    /// <summary>The knobs; change them at any time.</summary>
    public FakeComfyUIOptions Options { get; }

    public FakeComfyUILog Log { get; }

    /// <summary>http://host:port/ — known at once, even while a <see cref="FakeComfyUIOptions.StartupDelay"/> keeps the port closed.</summary>
    public Uri BaseUri { get; private set; } = null!;

    public string InputDirectory => _folders.Input;
    public string OutputDirectory => _folders.Output;

    /// <summary>Completes when the listener is open (after the startup delay).</summary>
    public Task Ready => _starting;

    public static async Task<FakeComfyUI> StartAsync(FakeComfyUIOptions? options = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        options ??= new FakeComfyUIOptions();
        options.Validate();
        var fake = new FakeComfyUI(options, time ?? TimeProvider.System);
        var port = options.Port;
        if (port == 0 && options.StartupDelay > TimeSpan.Zero) port = FreePort(options.Host);
        if (options.StartupDelay > TimeSpan.Zero)
        {
            fake.BaseUri = new Uri($"http://{options.Host}:{port}/");
            fake._starting = fake.StartAfterAsync(options.StartupDelay, port);
        }
        else
        {
            await fake.ListenAsync(port, ct).ConfigureAwait(false);
        }
        return fake;
    }

    /// <summary>The server process dies: sockets drop, the port closes, queue, history and cache are lost (files stay).</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts again on the same port, empty-handed like a restarted ComfyUI (after <see cref="FakeComfyUIOptions.StartupDelay"/>).</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        var port = BaseUri.Port;
        if (Options.StartupDelay > TimeSpan.Zero) _starting = StartAfterAsync(Options.StartupDelay, port);
        else await ListenAsync(port, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task StartAfterAsync(TimeSpan delay, int port)
    {
        await Task.Delay(delay, _time).ConfigureAwait(false);
        await ListenAsync(port, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task ListenAsync(int port, CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var state = new ServerState(Options, _folders, Log, _time);
            var app = Build(state, port);
            await app.StartAsync(ct).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            BaseUri = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
            (_app, _state) = (app, state);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private WebApplication Build(ServerState state, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(FakeComfyUI).Assembly.GetName().Name,
            ContentRootPath = _folders.Root,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        if (Options.ConsoleLogging) builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;  // the upload route applies the server's own --max-upload-size
            k.Listen(IPAddress.Parse(Options.Host == "localhost" ? "127.0.0.1" : Options.Host), port);
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = long.MaxValue;
            o.ValueLengthLimit = int.MaxValue;
        });
        builder.Services.AddSingleton(state);
        // The host lives inside a test or the program: process signals belong to them, not to it.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // A wedged server: the request is read, nothing is ever answered.
            try
            {
                while (state.Options.Unresponsive) await Task.Delay(50, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;  // the client gave up
            }
            try
            {
                await next(context);
            }
            finally
            {
                var request = context.Request;
                var status = context.WebSockets.IsWebSocketRequest && context.Response.StatusCode == 200 ? 101 : context.Response.StatusCode;
                Log.Add((seq, at) => new HttpRequestLogged(seq, at, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", status));
            }
        });
        app.UseWebSockets();
        app.MapPromptEndpoints();
        app.MapQueueEndpoints();
        app.MapFileEndpoints();
        app.MapInfoEndpoints();
        app.MapSocketEndpoint();
        return app;
    }

    private async Task StopCoreAsync()
    {
        var (app, state) = (_app, _state);
        (_app, _state) = (null, null);
        if (state is not null) state.Hub.DropAll();
        if (app is not null)
        {
            await app.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        if (state is not null) await state.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _starting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
        }
        await StopAsync().ConfigureAwait(false);
        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(_folders.Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        _lifecycle.Dispose();
    }
}

/// <summary>A host lifetime that leaves SIGTERM and Ctrl+C alone (the default console lifetime would take them).</summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
