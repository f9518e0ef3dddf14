using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Paddock.Fakes.ComfyUI.Catalog;
using Paddock.Fakes.ComfyUI.Execution;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Queue;
using Paddock.Fakes.ComfyUI.Sockets;
using Paddock.Fakes.ComfyUI.Storage;
using Paddock.Fakes.ComfyUI.Validation;

namespace Paddock.Fakes.ComfyUI;

/// <summary>
/// What one run of the server holds in memory: queue, history, cache, sockets. A restart makes a new one (a real
/// ComfyUI forgets all of it when its process ends); the folders on disk and the log outlive it.
/// </summary>
internal sealed class ServerState : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private long _number;

    public ServerState(FakeComfyUIOptions options, FakeFolders folders, FakeComfyUILog log, TimeProvider time)
    {
        Options = options;
        Folders = folders;
        Log = log;
        Time = time;
        Catalog = new NodeCatalog(options, folders);
        Validator = new PromptValidator(Catalog, folders, options);
        Hub = new SocketHub();
        Queue = new PromptQueue(() => Hub.Send("status", new JsonObject { ["status"] = QueueInfo() }, null));
        Worker = new PromptWorker(Queue, Hub, Catalog, folders, options, log, new VideoRenderer(options), time);
        _worker = Task.Run(() => Worker.RunAsync(_stopping.Token));
    }

    public FakeComfyUIOptions Options { get; }
    public FakeFolders Folders { get; }
    public FakeComfyUILog Log { get; }
    public TimeProvider Time { get; }
    public NodeCatalog Catalog { get; }
    public PromptValidator Validator { get; }
    public SocketHub Hub { get; }
    public PromptQueue Queue { get; }
    public PromptWorker Worker { get; }

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>server.number: the next queue number; POST /prompt takes one unless the client names its own.</summary>
    public long TakeNumber() => Interlocked.Increment(ref _number) - 1;

    /// <summary>get_queue_info: {"exec_info": {"queue_remaining": pending + running}}.</summary>
    public JsonObject QueueInfo() => new() { ["exec_info"] = new JsonObject { ["queue_remaining"] = Queue.Remaining } };

    public static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(node.ToJsonString(SocketHub.Json), "application/json; charset=utf-8", statusCode: status);

    /// <summary>What aiohttp answers when a handler raises: a plain-text 500.</summary>
    public static IResult ServerError() =>
        Results.Text("500 Internal Server Error\n\nServer got itself in trouble", "text/plain; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError);

    /// <summary>web.Response(status=...) with no body.</summary>
    public static IResult Empty(int status = StatusCodes.Status200OK) => Results.StatusCode(status);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Worker.Interrupt();
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await Hub.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
