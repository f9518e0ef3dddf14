using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Blobs;
using Paddock.Core.Generations;
using Paddock.Core.Maintenance;
using Paddock.Core.Models;
using Paddock.Core.Queue;
using Paddock.Core.Validation;
using Paddock.Media;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// The OpenAI Videos API under <c>/v1</c> (docs/openai.md), over the same queue, rows, keys and namespaces as Paddock's
/// own face: one generation is one row whichever face made it. Routes as openai-node src/resources/videos.ts calls them:
/// <c>POST /videos</c>, <c>GET /videos</c>, <c>GET /videos/{id}</c>, <c>DELETE /videos/{id}</c>,
/// <c>GET /videos/{id}/content?variant=</c>, <c>POST /videos/{id}/remix</c>.
/// </summary>
public static class VideoEndpoints
{
    private const int MaxIdempotencyKeyLength = 255;

    public static void MapOpenAIEndpoints(this IEndpointRouteBuilder app)
    {
        // A second API with its own published contract (the other API's reference, docs/openai.md): left out of
        // Paddock's OpenAPI document, which describes Paddock's own face.
        var face = app.MapGroup("/v1").ExcludeFromDescription();
        var videos = face.MapGroup("/videos");
        videos.MapPost("/", CreateAsync);
        videos.MapGet("/", ListAsync);
        videos.MapGet("/{id}", RetrieveAsync);
        videos.MapDelete("/{id}", DeleteAsync);
        videos.MapGet("/{id}/content", ContentAsync);
        videos.MapPost("/{id}/remix", RemixAsync);
        face.MapGet("/models", ListModels);
        face.MapGet("/models/{id}", GetModel);
    }

    // ---- create and remix ----

    private static async Task<IResult> CreateAsync(HttpContext context, ModelCatalog catalog, GenerationService generations, IGenerationStore store)
    {
        var (request, error) = await VideoRequests.ReadAsync(context);
        if (error is not null) return error;
        if (string.IsNullOrWhiteSpace(request!.Prompt)) return OpenAIErrors.BadRequest("prompt: is required and must not be empty", "prompt");

        var modelId = request.Model ?? VideoMapping.DefaultModel;
        if (catalog.Find(modelId) is not { } model) return OpenAIErrors.ModelNotFound(modelId, catalog.All.Select(m => m.Id));
        var options = VideoMapping.For(model);

        var size = request.Size ?? VideoMapping.DefaultSize;
        if (!options.Sizes.Contains(size) || VideoMapping.FromSize(size) is not { } made)
            return OpenAIErrors.BadRequest($"size: '{size}' is not a size model '{model.Id}' makes; it makes {string.Join(", ", options.Sizes)}", "size", "invalid_size");
        var seconds = request.Seconds ?? VideoMapping.DefaultSeconds;
        if (!options.Seconds.Contains(seconds))
            return OpenAIErrors.BadRequest($"seconds: '{seconds}' is not a length model '{model.Id}' makes; it makes {Lengths(options.Seconds)} seconds", "seconds", "invalid_seconds");
        if (request.ImageUrl is not null && options.ImageField is null)
            return OpenAIErrors.BadRequest($"input_reference: model '{model.Id}' makes video from text only; leave input_reference out, or use a model that takes images (GET /v1/models)", "input_reference");
        if (request.ImageUrl is null && options.ImageField == "input_image")
            return OpenAIErrors.BadRequest($"input_reference: model '{model.Id}' makes a video from one image; send it as input_reference", "input_reference");

        // The same request in Paddock's own fields, checked by the model's published schema like any other.
        var body = new JsonObject
        {
            ["model"] = model.Id,
            ["prompt"] = request.Prompt,
            ["resolution"] = made.Resolution,
            ["duration"] = int.Parse(seconds, CultureInfo.InvariantCulture),
        };
        if (!options.AspectFromImage) body["aspect_ratio"] = made.Aspect;
        if (request.ImageUrl is { } image) body[options.ImageField!] = options.ImageField == "reference_images" ? new JsonArray(image) : image;
        return await SubmitAsync(context, body, new JsonObject { ["size"] = size }, generations, catalog, store, restore: null);
    }

    /// <summary>A new generation from a completed one: the same model, size, length, references and seed, with a new prompt.</summary>
    private static async Task<IResult> RemixAsync(string id, HttpContext context, ModelCatalog catalog, GenerationService generations, IGenerationStore store)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } source) return OpenAIErrors.VideoNotFound(id);
        var (request, error) = await VideoRequests.ReadAsync(context);
        if (error is not null) return error;
        if (string.IsNullOrWhiteSpace(request!.Prompt)) return OpenAIErrors.BadRequest("prompt: is required and must not be empty", "prompt");
        if (source.Status != GenerationStatus.Succeeded)
            return OpenAIErrors.BadRequest($"video_id: only a completed video can be remixed; video '{id}' is {VideoObjects.Status(source.Status)}", "video_id", "video_not_completed");
        if (catalog.Find(source.Model) is not { } model) return OpenAIErrors.ModelNotFound(source.Model, catalog.All.Select(m => m.Id));

        var parameters = JsonNode.Parse(source.Parameters)!.AsObject();
        var sourceSize = VideoObjects.From(source, Retention(context))["size"]?.GetValue<string>();
        parameters.Remove(VideoObjects.FaceField);
        parameters["prompt"] = request.Prompt;
        // Images stored inline when the source was made (inline:sha256:…) are not URLs a request may give: each stands in
        // as a placeholder URL for the schema's check (so the count of images, which the prompt's "Image N" is checked
        // against, stays) and is put back before the row is written.
        var restore = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in new[] { "reference_images", "input_image" })
        {
            if (parameters[field] is JsonArray list)
            {
                for (var i = 0; i < list.Count; i++) list[i] = Placeholder(list[i]!.GetValue<string>(), restore);
            }
            else if (parameters[field] is JsonValue one) parameters[field] = Placeholder(one.GetValue<string>(), restore);
        }
        parameters["model"] = model.Id;
        var face = new JsonObject { ["size"] = sourceSize, ["remixed_from_video_id"] = source.Id.ToString() };
        return await SubmitAsync(context, parameters, face, generations, catalog, store, restore);
    }

    private static string Placeholder(string reference, Dictionary<string, string> restore)
    {
        if (!InlineReference(reference)) return reference;
        var placeholder = $"https://inline.invalid/{restore.Count}";
        restore[placeholder] = reference;
        return placeholder;
    }

    private static bool InlineReference(string reference) => Paddock.Core.References.InlineImages.IsInline(reference);

    private static async Task<IResult> SubmitAsync(HttpContext context, JsonObject body, JsonObject face, GenerationService generations, ModelCatalog catalog,
        IGenerationStore store, Dictionary<string, string>? restore)
    {
        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(c => c < 0x21 || c > 0x7E))
            return OpenAIErrors.BadRequest($"Idempotency-Key: must be 1-{MaxIdempotencyKeyLength} printable ASCII characters without spaces", null);

        // The validated parameters point into this document: it lives until the row is written.
        using var document = JsonDocument.Parse(body.ToJsonString());
        var rejection = RequestValidator.Validate(document.RootElement, catalog, SubmissionKind.Queue, out var validated);
        if (rejection is not null) return OpenAIErrors.BadRequest(rejection.Detail, null);
        var parameters = validated!.Parameters;
        if (restore is { Count: > 0 })
        {
            foreach (var field in new[] { "reference_images", "input_image" })
            {
                if (parameters[field] is JsonArray list)
                {
                    for (var i = 0; i < list.Count; i++)
                        if (restore.TryGetValue(list[i]!.GetValue<string>(), out var original)) list[i] = original;
                }
                else if (parameters[field] is JsonValue one && restore.TryGetValue(one.GetValue<string>(), out var original)) parameters[field] = original;
            }
        }
        parameters[VideoObjects.FaceField] = face;

        var ns = ApiKeyAuthentication.NamespaceOf(context);
        // Not the request's token: once the row is being written, a client hanging up must not half-commit it.
        // The key's quotas apply as on Paddock's face (a refusal leaves in this face's shape, status and Retry-After kept).
        var submitted = await generations.SubmitAsync(ns, validated, SubmissionKind.Queue, idempotencyKey.Length > 0 ? idempotencyKey : null, CancellationToken.None,
            QuotaEnforcement.LimitsOf(context));
        if (submitted.Refusal is { } refusal) return QuotaEnforcement.Refused(refusal);
        if (submitted.Result == IdempotencyResult.Conflict)
            return OpenAIErrors.Make(StatusCodes.Status409Conflict,
                $"Idempotency-Key: '{idempotencyKey}' was used in the last 24 hours for a different request; use a new key for a new request",
                OpenAIErrors.InvalidRequest, null, "idempotency_conflict");
        var row = await store.GetAsync(ns, submitted.GenerationIds[0], CancellationToken.None);
        if (submitted.Result == IdempotencyResult.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        return row is null ? OpenAIErrors.VideoNotFound(submitted.GenerationIds[0].ToString()) : TypedResults.Json(VideoObjects.From(row, Retention(context)));
    }

    private static string Lengths(IReadOnlyList<string> seconds) =>
        seconds.Count > 3 && seconds.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Zip(seconds.Skip(1).Select(s => int.Parse(s, CultureInfo.InvariantCulture))).All(p => p.Second == p.First + 1)
            ? $"{seconds[0]} to {seconds[^1]}"
            : string.Join(", ", seconds);

    // ---- read, list, delete ----

    private static async Task<IResult> RetrieveAsync(string id, HttpContext context, IGenerationStore store)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } row) return OpenAIErrors.VideoNotFound(id);
        return TypedResults.Json(VideoObjects.From(row, Retention(context)));
    }

    /// <summary>
    /// The other API's cursor list (openai-node <c>ConversationCursorPage</c>: <c>data</c>, <c>has_more</c>, <c>last_id</c>, and
    /// the next page asked with <c>after=last_id</c>; the reference adds <c>object: "list"</c> and <c>first_id</c>). <c>limit</c>
    /// 0 to 100 (the reference's bounds; 20 when not given), <c>order</c> <c>desc</c> (newest first, the default) or <c>asc</c>.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext context, IGenerationStore store)
    {
        var query = context.Request.Query;
        var limit = 20;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit > 100))
            return OpenAIErrors.BadRequest($"limit: '{limitText}' must be an integer from 0 to 100", "limit");
        var order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : "desc";
        if (order is not ("asc" or "desc")) return OpenAIErrors.BadRequest($"order: '{order}' must be 'asc' or 'desc'", "order");
        Guid? after = null;
        if (query.TryGetValue("after", out var afterText) && afterText.ToString().Length > 0)
        {
            if (!Guid.TryParse(afterText, out var afterId)) return OpenAIErrors.BadRequest($"after: '{afterText}' is not the id of a video; pass the last_id of the page before", "after");
            after = afterId;
        }
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        var page = await VideoPages.ReadAsync(store, ns, after, limit, ascending: order == "asc", context.RequestAborted);
        if (page is null) return OpenAIErrors.BadRequest($"after: no video '{afterText}' in this list (it was deleted, or is another key's); start again without after", "after");
        var data = new JsonArray(page.Value.Items.Select(g => (JsonNode)VideoObjects.From(g, Retention(context))).ToArray());
        return TypedResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["first_id"] = page.Value.Items.Count > 0 ? page.Value.Items[0].Id.ToString() : null,
            ["last_id"] = page.Value.Items.Count > 0 ? page.Value.Items[^1].Id.ToString() : null,
            ["has_more"] = page.Value.HasMore,
        });
    }

    /// <summary>
    /// The other API deletes "a completed or failed video and its stored assets" (openai-node <c>delete</c>): so here a
    /// finished row goes, with its video. A queued or running one is cancelled instead, as Paddock's own
    /// <c>DELETE /api/ai/queue/{id}</c> does (its render stops within a second), and the answer says <c>deleted: false</c>
    /// with the video as it now is (failed, error code <c>cancelled</c>); a second delete removes it.
    /// </summary>
    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IGenerationStore store, GenerationService generations, IBlobStore blobs)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } row) return OpenAIErrors.VideoNotFound(id);
        if (!row.Status.IsTerminal())
        {
            await generations.CancelAsync(ns, guid, CancellationToken.None);
            var now = await store.GetAsync(ns, guid, CancellationToken.None);
            var answer = new JsonObject { ["id"] = id, ["object"] = "video.deleted", ["deleted"] = false };
            if (now is not null) answer["video"] = VideoObjects.From(now, Retention(context));
            return TypedResults.Json(answer);
        }
        switch (await store.DeleteAsync(ns, guid, CancellationToken.None))
        {
            case DeleteOutcome.NotFound:
                return OpenAIErrors.VideoNotFound(id);
            case DeleteOutcome.StillActive:
                return OpenAIErrors.Make(StatusCodes.Status409Conflict,
                    $"video '{id}' is cancelled but the cancel of its remote job is still pending; delete it again in a few seconds",
                    OpenAIErrors.InvalidRequest, "video_id", "cancel_pending");
        }
        // The row is gone: nothing refers to the video any more. A failure here leaves it to the orphan sweep.
        if (row.OutputKey is { } key)
        {
            try
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
#pragma warning disable CA1031 // any store's failure (a disk error, an S3 error) is left to the orphan sweep: the row is already gone
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
            }
        }
        return TypedResults.Json(new JsonObject { ["id"] = id, ["object"] = "video.deleted", ["deleted"] = true });
    }

    /// <summary>When the process's retention says videos expire (for <c>expires_at</c>).</summary>
    private static Paddock.Core.Retention.RetentionPolicy Retention(HttpContext context) =>
        context.RequestServices.GetRequiredService<Paddock.Core.Retention.RetentionPolicy>();

    // ---- content ----

    /// <summary><c>variant</c> (openai-node <c>VideoDownloadContentParams</c>): <c>video</c> (the MP4, the default), <c>thumbnail</c> and <c>spritesheet</c> (JPEG stills, docs/openai.md).</summary>
    private static async Task<IResult> ContentAsync(string id, HttpContext context, IGenerationStore store, IBlobStore blobs, VideoStills stills, WorkArea work)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (!Guid.TryParse(id, out var guid) || await store.GetAsync(ns, guid, context.RequestAborted) is not { } row) return OpenAIErrors.VideoNotFound(id);
        var variant = context.Request.Query.TryGetValue("variant", out var v) ? v.ToString() : "video";
        if (variant is not ("video" or "thumbnail" or "spritesheet"))
            return OpenAIErrors.BadRequest($"variant: '{variant}' must be one of video, thumbnail, spritesheet", "variant");
        var retention = Retention(context);
        if (retention.IsExpired(row))
            return OpenAIErrors.Expired(Paddock.Core.Retention.RetentionPolicy.ExpiredMessage($"the content of video '{id}'", retention.ExpiresAt(row)!.Value));
        if (row is not { Status: GenerationStatus.Succeeded, OutputKey: { } key })
            return OpenAIErrors.BadRequest($"video '{id}' is {VideoObjects.Status(row.Status)}; its content exists once it is completed", "video_id", "video_not_ready");

        var stream = await BlobReadStream.OpenAsync(blobs, key, context.RequestAborted);
        if (stream is null) return OpenAIErrors.NotFound($"the content of video '{id}' is no longer stored");
        if (variant == "video")
        {
            return new RangedDownload(TypedResults.Stream(stream, "video/mp4", fileDownloadName: null, lastModified: row.CompletedAt,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{guid:N}-{row.Attempt}\""), enableRangeProcessing: true), stream.Length);
        }

        // ffmpeg reads a file: the video is copied into this process's work folder (reclaimed by the sweep if the process dies).
        var name = $"still-{guid:N}-{Guid.NewGuid():N}";
        var mp4 = work.PathFor(name + ".mp4");
        var jpeg = work.PathFor(name + ".jpg");
        try
        {
            await using (stream)
            await using (var file = File.Create(mp4))
                await stream.CopyToAsync(file, context.RequestAborted);
            var duration = VideoParameters.From(row.Parameters).Duration;
            if (variant == "thumbnail") await stills.ThumbnailAsync(mp4, duration, jpeg, context.RequestAborted);
            else await stills.SpritesheetAsync(mp4, duration, jpeg, context.RequestAborted);
            return TypedResults.File(await File.ReadAllBytesAsync(jpeg, context.RequestAborted), "image/jpeg");
        }
        finally
        {
            File.Delete(mp4);
            File.Delete(jpeg);
        }
    }

    // ---- models ----

    private static IResult ListModels(ModelCatalog catalog) =>
        TypedResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(catalog.All.Select(m => (JsonNode)ModelObject(m)).ToArray()),
        });

    private static IResult GetModel(string id, ModelCatalog catalog) =>
        catalog.Find(id) is { } model ? TypedResults.Json(ModelObject(model)) : OpenAIErrors.ModelNotFound(id, catalog.All.Select(m => m.Id));

    /// <summary>The other API's model object (<c>id</c>, <c>object</c>, <c>created</c>, <c>owned_by</c>) with what the model accepts here.</summary>
    private static JsonObject ModelObject(ModelDefinition model)
    {
        var o = new JsonObject
        {
            ["id"] = model.Id,
            ["object"] = "model",
            ["created"] = model.Created,
            ["owned_by"] = model.OwnedBy,
        };
        foreach (var (name, value) in Accepts(model)) o[name] = value?.DeepClone();
        return o;
    }

    /// <summary>What a model accepts through this face, for its detail on both faces: sizes, seconds and where an image goes.</summary>
    public static JsonObject Accepts(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = VideoMapping.For(model);
        return new JsonObject
        {
            ["sizes"] = new JsonArray(options.Sizes.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["seconds"] = new JsonArray(options.Seconds.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["input_reference"] = options.ImageField switch
            {
                "reference_images" => "optional: one reference image (Image 1)",
                "input_image" => "required: the image the video starts from; the picture keeps its shape, size picks the resolution",
                _ => "not taken: text only",
            },
        };
    }
}
