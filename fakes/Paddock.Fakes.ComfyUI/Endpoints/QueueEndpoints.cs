using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Validation;

namespace Paddock.Fakes.ComfyUI.Endpoints;

/// <summary>/queue, /interrupt, /history and (current servers) /api/jobs/{id}/cancel, as server.py serves them.</summary>
internal static class QueueEndpoints
{
    public static void MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapBoth("GET", "/queue", (ServerState s) =>
        {
            var (running, pending) = s.Queue.Snapshot();
            return ServerState.Json(new JsonObject
            {
                ["queue_running"] = new JsonArray(running.Select(i => (JsonNode?)i.ToWire()).ToArray()),
                ["queue_pending"] = new JsonArray(pending.Select(i => (JsonNode?)i.ToWire()).ToArray()),
            });
        });
        app.MapBoth("POST", "/queue", PostQueueAsync);
        app.MapBoth("POST", "/interrupt", PostInterruptAsync);
        app.MapBoth("GET", "/history", GetHistory);
        app.MapBoth("GET", "/history/{prompt_id}", (string prompt_id, ServerState s) => ServerState.Json(s.Queue.History(prompt_id)));
        app.MapBoth("POST", "/history", PostHistoryAsync);
        app.MapPost("/api/jobs/{job_id}/cancel", CancelJob);
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpRequest request) =>
        await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);

    /// <summary>{"clear": true} empties the pending list; {"delete": [ids]} removes pending prompts. A running prompt is not touched.</summary>
    private static async Task<IResult> PostQueueAsync(HttpRequest request, ServerState s)
    {
        JsonNode? body;
        try { body = await ReadJsonAsync(request); }
        catch (JsonException) { return ServerState.ServerError(); }
        if (body is not JsonObject json) return ServerState.ServerError();
        if (json.ContainsKey("clear") && PythonText.Truthy(json["clear"]))
        {
            var removed = s.Queue.Clear();
            s.Log.Add((seq, at) => new QueueCleared(seq, at, removed));
        }
        if (json.ContainsKey("delete"))
        {
            if (json["delete"] is not JsonArray ids) return ServerState.ServerError();
            var asked = ids.Select(i => PythonText.Str(i)).ToList();
            var removed = asked.Where(s.Queue.Delete).ToList();
            s.Log.Add((seq, at) => new QueueDeleteRequested(seq, at, asked, removed));
        }
        return ServerState.Empty();
    }

    /// <summary>With {"prompt_id": id} only that prompt is interrupted, and only while it runs; without, whatever runs is.</summary>
    private static async Task<IResult> PostInterruptAsync(HttpRequest request, ServerState s)
    {
        JsonNode? body;
        try { body = await ReadJsonAsync(request); }
        catch (JsonException) { body = new JsonObject(); }  // post_interrupt catches json.JSONDecodeError only
        if (body is not JsonObject json) return ServerState.ServerError();
        var promptId = json["prompt_id"];
        if (PythonText.Truthy(promptId))
        {
            var id = PythonText.Str(promptId);
            var interrupted = s.Worker.InterruptIfRunning(id);
            s.Log.Add((seq, at) => new InterruptRequested(seq, at, id, interrupted));
        }
        else
        {
            var running = s.Queue.Running is not null;
            s.Worker.Interrupt();
            s.Log.Add((seq, at) => new InterruptRequested(seq, at, null, running));
        }
        return ServerState.Empty();
    }

    private static IResult GetHistory(HttpRequest request, ServerState s)
    {
        int? maxItems = null;
        var offset = -1;
        try
        {
            if (request.Query.TryGetValue("max_items", out var m)) maxItems = int.Parse(m.ToString(), CultureInfo.InvariantCulture);
            if (request.Query.TryGetValue("offset", out var o)) offset = int.Parse(o.ToString(), CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return ServerState.ServerError();  // int() raises ValueError, unhandled
        }
        return ServerState.Json(s.Queue.History(maxItems, offset));
    }

    private static async Task<IResult> PostHistoryAsync(HttpRequest request, ServerState s)
    {
        JsonNode? body;
        try { body = await ReadJsonAsync(request); }
        catch (JsonException) { return ServerState.ServerError(); }
        if (body is not JsonObject json) return ServerState.ServerError();
        if (json.ContainsKey("clear") && PythonText.Truthy(json["clear"])) s.Queue.ClearHistory();
        if (json["delete"] is JsonArray ids)
            foreach (var id in ids) s.Queue.DeleteHistory(PythonText.Str(id));
        return ServerState.Empty();
    }

    /// <summary>
    /// ComfyUI 0.38.x: cancel by id whatever its state — a running prompt is interrupted atomically (only if it is
    /// still the one running), a pending one dequeued; finished or unknown ids answer {"cancelled": false}.
    /// </summary>
    private static IResult CancelJob(string job_id, ServerState s)
    {
        if (s.Options.Flavor == ComfyUIFlavor.Legacy) return Results.NotFound();
        var cancelled = s.Worker.InterruptIfRunning(job_id);
        if (cancelled) s.Log.Add((seq, at) => new InterruptRequested(seq, at, job_id, true));
        else if (s.Queue.Delete(job_id))
        {
            cancelled = true;
            s.Log.Add((seq, at) => new QueueDeleteRequested(seq, at, [job_id], [job_id]));
        }
        return ServerState.Json(new JsonObject { ["cancelled"] = cancelled });
    }
}
