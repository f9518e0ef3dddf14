using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Queue;
using Paddock.Core.Retention;
using Paddock.Core.Validation;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>The async queue: enqueue, poll one, list, cancel; and <c>/api/ai/generations</c> paging through every row.</summary>
public static class QueueEndpoints
{
    public static void MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        var queue = app.MapGroup("/api/ai/queue").WithTags("Queue").RequiresApiKey();
        queue.MapPost("/", EnqueueAsync)
            .Doc("Enqueue", "Enqueue 1 to 4 generations", "The rows are durable before the answer is sent. With a seed and num_generations > 1, the i-th generation uses seed + i.")
            .TakesVideoRequest()
            .Header("Idempotency-Key", "Repeat a request safely: the same key and body within 24 hours answers with the same generations (Idempotent-Replayed: true).")
            .Returns(200, ApiSchemas.QueueAccepted)
            .Errors(400, 403, 404, 408, 409, 413, 503, 507);
        queue.MapGet("/", ListAsync)
            .Doc("ListQueue", "List active generations, newest first", "Without status= only queued and processing rows; 100 at a time (page_size up to 1000), the next page with after= the answer's next_cursor.")
            .WithFilters()
            .Query("page_size", JsonSchemaType.Integer, "Rows per page, 1 to 1000 (default 100); 'limit' is taken too.")
            .Returns(200, ApiSchemas.GenerationList)
            .Errors(400, 403);
        queue.MapGet("/{id}", GetAsync)
            .Doc("GetGeneration", "Poll one generation", "A flat row: status, result_url, error_message, timestamps, progress and every field of the request.")
            .Returns(200, ApiSchemas.Generation).Errors(404);
        queue.MapDelete("/{id}", CancelAsync)
            .Doc("CancelGeneration", "Cancel a generation", "Always 200 status success, as the original API answers; status_message cancelled, or already_ended with the row's generation_status. A render in progress stops within a second.")
            .Returns(200, ApiSchemas.CancelResult).Errors(404);
        queue.MapPost("/{id}/pin", PinAsync)
            .Doc("PinGeneration", "Pin a generation so its output never expires", "The row with pinned true and expires_at null, whatever the retention setting. Any status may be pinned (a queued one is kept once it succeeds); an output that already expired cannot come back (410).")
            .Returns(200, ApiSchemas.Generation).Errors(404, 410);
        queue.MapDelete("/{id}/pin", UnpinAsync)
            .Doc("UnpinGeneration", "Unpin a generation", "The row with pinned false; its output expires under the retention setting again, counted from its completion (at once if that time has passed).")
            .Returns(200, ApiSchemas.Generation).Errors(404, 410);
        app.MapDelete("/api/ai/generations/{id}", DeleteAsync).WithTags("Queue")
            .Doc("DeleteGeneration", "Delete a generation and its output", "A succeeded, failed or cancelled row goes for good, with its video; a queued or processing one is refused with 409 (cancel it first with DELETE /api/ai/queue/{id}). Another namespace's id is a 404.")
            .RequiresApiKey()
            .Returns(200, ApiSchemas.GenerationDeleted).Errors(404, 409);
        app.MapGet("/api/ai/generations", PageAsync).WithTags("Queue")
            .Doc("ListGenerations", "Page through every generation", "page= and page_size= (1 to 1000, default 50) as the original API, or after= the answer's next_cursor, which costs the same however deep.")
            .RequiresApiKey()
            .WithFilters()
            .Query("page", JsonSchemaType.Integer, "The page number, from 1 (also page_number or page_num).")
            .Query("page_size", JsonSchemaType.Integer, "Rows per page, 1 to 1000 (default 50).")
            .Returns(200, ApiSchemas.GenerationPage)
            .Errors(400, 403);
    }

    /// <summary>The filters the list and the pages share (see <see cref="ParseFilters"/>).</summary>
    private static RouteHandlerBuilder WithFilters(this RouteHandlerBuilder builder) => builder
        .Query("status", JsonSchemaType.String, "Comma-separated statuses (queued, processing, succeeded, failed, cancelled), or all.")
        .Query("model", JsonSchemaType.String, "Only rows of this model.")
        .Query("media_type", JsonSchemaType.String, "Only rows of this media type (video).")
        .Query("namespace", JsonSchemaType.String, "The key's own namespace (another is a 403).")
        .Query("after", JsonSchemaType.String, "A next_cursor from the previous page.");

    private static async Task<IResult> EnqueueAsync(HttpContext context, ModelCatalog catalog, GenerationService generations, IGenerationStore store)
    {
        var (accepted, error) = await Submission.SubmitAsync(context, SubmissionKind.Queue, catalog, generations);
        if (error is not null) return error;
        var statuses = new string[accepted!.GenerationIds.Count];
        for (var i = 0; i < statuses.Length; i++)
        {
            // A repeat under the same Idempotency-Key answers with the rows as they are now.
            statuses[i] = accepted.Replayed ? (await store.GetAsync(accepted.Namespace, accepted.GenerationIds[i], context.RequestAborted))?.Status.ToWire() ?? "queued" : "queued";
        }
        if (accepted.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        return JsonAnswer.Of(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("generations");
            for (var i = 0; i < statuses.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("generation_id", accepted.GenerationIds[i]);
                writer.WriteString("status", statuses[i]);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IGenerationStore store, GenerationJson json)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid)) return ApiErrors.NotFound($"generation not found: {id}");
        var row = await store.GetAsync(ns, guid, context.RequestAborted);
        return row is null ? ApiErrors.NotFound($"generation not found: {id}") : JsonAnswer.Of(writer => json.WriteRow(writer, row, context.Request));
    }

    /// <summary>
    /// 200 <c>{"status":"success"}</c> either way, as the original API answers; the extension fields say which happened:
    /// <c>status_message</c> <c>cancelled</c>, or <c>already_ended</c> with the row's <c>generation_status</c> when it had
    /// already succeeded, failed or been cancelled (nothing changed then).
    /// </summary>
    private static async Task<IResult> CancelAsync(string id, HttpContext context, GenerationService generations, IGenerationStore store)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid)) return ApiErrors.NotFound($"generation not found: {id}");
        var outcome = await generations.CancelAsync(ns, guid, CancellationToken.None);
        if (outcome == CancelOutcome.NotFound) return ApiErrors.NotFound($"generation not found: {id}");
        if (outcome == CancelOutcome.Cancelled)
        {
            return TypedResults.Json(new JsonObject
            {
                ["status"] = "success",
                ["status_message"] = "cancelled",
                ["generation_id"] = guid.ToString(),
                ["generation_status"] = GenerationStatus.Cancelled.ToWire(),
                ["message"] = $"generation {guid} is cancelled",
            });
        }
        // A terminal row never changes again, so reading it now gives the status the cancel found.
        var status = (await store.GetAsync(ns, guid, CancellationToken.None))?.Status ?? GenerationStatus.Cancelled;
        return TypedResults.Json(new JsonObject
        {
            ["status"] = "success",
            ["status_message"] = "already_ended",
            ["generation_id"] = guid.ToString(),
            ["generation_status"] = status.ToWire(),
            ["message"] = $"generation {guid} had already ended ({status.ToWire()}); nothing was cancelled",
        });
    }

    private static Task<IResult> PinAsync(string id, HttpContext context, IGenerationStore store, GenerationJson json, RetentionPolicy retention) =>
        SetPinnedAsync(id, pinned: true, context, store, json, retention);

    private static Task<IResult> UnpinAsync(string id, HttpContext context, IGenerationStore store, GenerationJson json, RetentionPolicy retention) =>
        SetPinnedAsync(id, pinned: false, context, store, json, retention);

    /// <summary>Pins or unpins a row of the key's namespace; an output already expired (swept, or its time passed) is a 410.</summary>
    private static async Task<IResult> SetPinnedAsync(string id, bool pinned, HttpContext context, IGenerationStore store, GenerationJson json, RetentionPolicy retention)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } before)
            return ApiErrors.NotFound($"generation not found: {id}");
        if (retention.IsExpired(before))
            return ApiErrors.Expired(RetentionPolicy.ExpiredMessage($"the output of generation {guid}", retention.ExpiresAt(before)!.Value) + "; an expired output cannot be pinned");
        var row = await store.SetPinnedAsync(ns, guid, pinned, CancellationToken.None);
        if (row is null) return ApiErrors.NotFound($"generation not found: {id}");
        // The sweep may have marked it between the read and the pin.
        if (row.ExpiredAt is { } gone)
            return ApiErrors.Expired(RetentionPolicy.ExpiredMessage($"the output of generation {guid}", gone) + "; an expired output cannot be pinned");
        return JsonAnswer.Of(writer => json.WriteRow(writer, row, context.Request));
    }

    /// <summary>
    /// Removes a finished row of the key's namespace and its video (the store's delete, as the OpenAI face's). A failure
    /// to delete the blob leaves it to the orphan sweep: no row refers to it any more.
    /// </summary>
    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IGenerationStore store, Core.Blobs.IBlobStore blobs)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } row)
            return ApiErrors.NotFound($"generation not found: {id}");
        switch (await store.DeleteAsync(ns, guid, CancellationToken.None))
        {
            case DeleteOutcome.NotFound:
                return ApiErrors.NotFound($"generation not found: {id}");
            case DeleteOutcome.StillActive:
                return ApiErrors.Make(StatusCodes.Status409Conflict, "still_active", "Only a finished generation can be deleted.",
                    $"generation {guid} is {row.Status.ToWire()}; cancel it first (DELETE /api/ai/queue/{guid}), then delete it"
                    + (row.RemoteCancel == Core.Engines.RemoteCancelState.Pending ? " once the cancel of its remote job is done (a few seconds)" : ""));
        }
        if (row.OutputKey is { } key)
        {
            try
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
#pragma warning disable CA1031 // any store's failure is left to the orphan sweep: the row is already gone
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
            }
        }
        return TypedResults.Json(new JsonObject
        {
            ["status"] = "success",
            ["status_message"] = "deleted",
            ["generation_id"] = guid.ToString(),
        });
    }

    /// <summary>The active rows (or those of <c>status=</c>), newest first, a bounded page at a time: <c>page_size</c> (default 100, at most 1000) and <c>after=next_cursor</c>.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IGenerationStore store, GenerationJson json)
    {
        var problems = new List<string>();
        var pageSize = ReadInt(context.Request.Query, ["page_size", "limit"], 100, 1, 1000, problems);
        var (query, error) = ParseFilters(context, problems);
        if (error is not null) return error;
        if (problems.Count > 0) return ApiErrors.InvalidParams(string.Join("; ", problems));
        GenerationPage page;
        try
        {
            page = await store.QueryAsync(query! with { Limit = pageSize }, context.RequestAborted);
        }
        catch (InvalidCursorException e)
        {
            return ApiErrors.InvalidParams($"after: {e.Message}");
        }
        return new JsonAnswer(async output =>
        {
            var writer = output.Writer;
            writer.WriteStartObject();
            writer.WriteNumber("count", page.Items.Count);
            await WriteRowsAsync(output, page.Items, context.Request, json);
            writer.WriteNumber("total_entries", page.TotalEntries);
            WriteNullable(writer, "next_cursor", page.NextCursor);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> PageAsync(HttpContext context, IGenerationStore store, GenerationJson json)
    {
        var problems = new List<string>();
        var pageNumber = ReadInt(context.Request.Query, ["page", "page_number", "page_num"], 1, 1, int.MaxValue, problems);
        var pageSize = ReadInt(context.Request.Query, ["page_size"], 50, 1, 1000, problems);
        var (query, error) = ParseFilters(context, problems, defaultToActive: false);
        if (error is not null) return error;
        if (problems.Count > 0) return ApiErrors.InvalidParams(string.Join("; ", problems));

        // With after=CURSOR the page continues from a cursor (cheap however deep); page=N skips rows as the seed API does.
        var usesCursor = query!.After is not null;
        GenerationPage page;
        try
        {
            page = await store.QueryAsync(query with { Offset = usesCursor ? 0 : (int)Math.Min(int.MaxValue, (long)(pageNumber - 1) * pageSize), Limit = pageSize }, context.RequestAborted);
        }
        catch (InvalidCursorException e)
        {
            return ApiErrors.InvalidParams($"after: {e.Message}");
        }
        return new JsonAnswer(async output =>
        {
            var writer = output.Writer;
            writer.WriteStartObject();
            writer.WriteNumber("count", page.Items.Count);
            await WriteRowsAsync(output, page.Items, context.Request, json);
            if (usesCursor) writer.WriteNull("page_number");
            else writer.WriteNumber("page_number", pageNumber);
            writer.WriteNumber("page_size", pageSize);
            writer.WriteNumber("total_pages", (int)Math.Ceiling(page.TotalEntries / (double)pageSize));
            writer.WriteNumber("total_entries", page.TotalEntries);
            WriteNullable(writer, "next_cursor", page.NextCursor);
            writer.WriteEndObject();
        });
    }

    /// <summary>The page's rows as <c>"generations": [...]</c>, sent on as they are written.</summary>
    private static async Task WriteRowsAsync(JsonAnswer.Output output, IReadOnlyList<Generation> rows, HttpRequest request, GenerationJson json)
    {
        output.Writer.WriteStartArray("generations");
        foreach (var row in rows)
        {
            json.WriteRow(output.Writer, row, request);
            await output.FlushWhenLargeAsync();
        }
        output.Writer.WriteEndArray();
    }

    private static void WriteNullable(System.Text.Json.Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    /// <summary>
    /// Filters shared by the list and the pages: status (comma-separated, or <c>all</c>), model, media_type, namespace.
    /// Every unknown status is added to <paramref name="problems"/>, beside the caller's own, so all are named at once.
    /// </summary>
    private static (GenerationQuery? Query, IResult? Error) ParseFilters(HttpContext context, List<string> problems, bool defaultToActive = true)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        var q = context.Request.Query;
        if (q.TryGetValue("namespace", out var askedNs) && askedNs.ToString() is { Length: > 0 } asked && asked != ns)
            return (null, ApiErrors.Forbidden($"namespace: this key belongs to namespace '{ns}' and cannot list '{asked}'"));

        List<GenerationStatus>? statuses = defaultToActive ? [GenerationStatus.Queued, GenerationStatus.Processing] : null;
        if (q.TryGetValue("status", out var statusValue) && statusValue.ToString() is { Length: > 0 } statusText)
        {
            statuses = null;
            if (statusText != "all")
            {
                statuses = [];
                foreach (var part in statusText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (GenerationStatusNames.TryParse(part, out var s)) statuses.Add(s);
                    else problems.Add($"status: '{part}' is not one of queued, processing, succeeded, failed, cancelled, all");
                }
            }
        }
        var model = q["model"].ToString();
        var mediaType = q["media_type"].ToString();
        var after = q["after"].ToString();
        return (new GenerationQuery(ns, statuses, model.Length > 0 ? model : null, mediaType.Length > 0 ? mediaType : null, After: after.Length > 0 ? after : null), null);
    }

    private static int ReadInt(IQueryCollection query, string[] names, int fallback, int min, int max, List<string> problems)
    {
        foreach (var name in names)
        {
            if (!query.TryGetValue(name, out var raw)) continue;
            if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
            problems.Add(max == int.MaxValue ? $"{name}: must be an integer of at least {min}" : $"{name}: must be an integer between {min} and {max}");
            return fallback;
        }
        return fallback;
    }
}
