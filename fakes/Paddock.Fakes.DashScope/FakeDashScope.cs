using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Fakes.DashScope.Endpoints;
using Paddock.Fakes.DashScope.Media;
using Paddock.Fakes.DashScope.Recording;
using Paddock.Fakes.DashScope.Tasks;
using Paddock.Fakes.DashScope.Uploads;

namespace Paddock.Fakes.DashScope;

/// <summary>
/// A fake of Alibaba Model Studio's (DashScope) asynchronous video-synthesis API for the HappyHorse models, on real HTTP.
/// Start one with <see cref="StartAsync"/> (loopback, a free port), point a client at <see cref="ApiBaseUrl"/> with
/// <see cref="ApiKey"/>, turn its knobs through <see cref="Options"/> at any time, and read what it received from
/// <see cref="Requests"/> and <see cref="Tasks"/>. The protocol it speaks is written down, with sources, in
/// docs/providers/dashscope.md.
/// </summary>
public sealed class FakeDashScope : IAsyncDisposable
{
    internal const string RecordedKey = "fake-dashscope.recorded";

    private readonly WebApplication _app;
    private readonly FakeState _state;

    private FakeDashScope(WebApplication app, FakeState state, string baseUrl)
    {
        _app = app;
        _state = state;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the fake listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The provider's base for API calls: <c>{BaseUrl}/api/v1</c>, as <c>https://dashscope-intl.aliyuncs.com/api/v1</c>.</summary>
    public string ApiBaseUrl => BaseUrl + "/api/v1";

    public string ApiKey => Options.ApiKey;

    /// <summary>The knobs; changes take effect from the next request or task step.</summary>
    public FakeDashScopeOptions Options => _state.Options;

    /// <summary>Every request in arrival order (Authorization values redacted).</summary>
    public RequestLog Requests => _state.Log;

    /// <summary>Every task created, oldest first.</summary>
    public IReadOnlyList<FakeTaskSnapshot> Tasks => _state.Runner.All.Select(t => t.Snapshot()).ToList();

    /// <summary>How many tasks were created; with a prompt, how many for exactly that prompt.</summary>
    public int TasksCreated(string? prompt = null) => Tasks.Count(t => prompt is null || t.Prompt == prompt);

    public int TasksCreatedForModel(string model) => Tasks.Count(t => t.Model == model);

    public FakeTaskSnapshot? FindTask(string taskId) => _state.Runner.All.FirstOrDefault(t => t.Id == taskId)?.Snapshot();

    /// <summary>What the fake did with each media URL it was given.</summary>
    public IReadOnlyList<MediaFetch> MediaFetches => _state.Fetcher.Log.ToList();

    /// <summary>Files in the temporary storage (the oss:// uploads).</summary>
    public IReadOnlyCollection<StoredFile> UploadedFiles => _state.Storage.Files;

    /// <summary>Makes one task answer UNKNOWN from now on, as the provider does once its record is gone.</summary>
    public void Forget(string taskId) => _state.Runner.Forget(taskId);

    public static async Task<FakeDashScope> StartAsync(FakeDashScopeOptions? options = null, TimeProvider? time = null, string url = "http://127.0.0.1:0")
    {
        options ??= new FakeDashScopeOptions();
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var state = AddFakeDashScope(builder.Services, options, time ?? TimeProvider.System);
        var app = builder.Build();
        app.MapFakeDashScope();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return new FakeDashScope(app, state, address);
    }

    /// <summary>Registers the fake's state; the program and <see cref="StartAsync"/> both build the app this way.</summary>
    public static FakeState AddFakeDashScope(IServiceCollection services, FakeDashScopeOptions options, TimeProvider time)
    {
        var state = new FakeState(options, time);
        services.AddSingleton(state);
        return state;
    }

    internal static bool IsRefused(FakeDashScopeOptions options, string? prompt) =>
        options.RefuseWord is { Length: > 0 } word && prompt?.Contains(word, StringComparison.OrdinalIgnoreCase) == true;

    public async ValueTask DisposeAsync()
    {
        await _state.Runner.StopAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
    }
}

public static class FakeDashScopeApp
{
    /// <summary>The fake's request pipeline: record, then the slow/unreachable knobs, then the provider's routes.</summary>
    public static WebApplication MapFakeDashScope(this WebApplication app)
    {
        var state = app.Services.GetRequiredService<FakeState>();
        app.Use(async (context, next) =>
        {
            var recorded = await state.Log.RecordAsync(context.Request, state.Time).ConfigureAwait(false);
            context.Items[FakeDashScope.RecordedKey] = recorded;
            var isApi = context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal);
            if (isApi && state.Options.Unreachable)
            {
                context.Abort(); // a provider that does not answer: the client sees the connection drop
                return;
            }
            if (isApi && state.Options.ResponseDelay > TimeSpan.Zero)
                await System.Threading.Tasks.Task.Delay(state.Options.ResponseDelay, state.Time, context.RequestAborted).ConfigureAwait(false);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
            {
                // A bug in the fake still answers in the provider's shape, and says what broke.
                await Answers.Error(Protocol.DashScopeError.InternalError("The fake failed: " + e.Message)).ExecuteAsync(context).ConfigureAwait(false);
            }
            recorded.Status = context.Response.StatusCode;
        });
        app.MapVideoSynthesisEndpoints();
        app.MapTaskEndpoints();
        app.MapUploadEndpoints();
        app.MapResultEndpoints();
        return app;
    }
}
