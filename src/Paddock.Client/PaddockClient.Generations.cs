using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>
    /// Generates synchronously (<c>POST /api/ai/videos/generate</c>): the call returns when the video exists, which can
    /// take minutes (see <see cref="PaddockClientOptions.GenerateTimeout"/>). Sends a new <c>Idempotency-Key</c>, the
    /// same on every retry, so a retry after a lost answer returns the same video instead of rendering a second one.
    /// </summary>
    /// <param name="request">What to generate.</param>
    /// <param name="cancellationToken">Cancels waiting; the generation itself goes on and can be found with <see cref="ListGenerationsAsync(CancellationToken)"/>.</param>
    /// <returns>The video (URL or bytes) and the generation id.</returns>
    /// <exception cref="PaddockException">400 for an invalid request, 500 <c>generation_failed</c> when the render failed, and the like.</exception>
    public Task<VideoGenerationResult> GenerateAsync(VideoGenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateAsync(request, idempotencyKey: null, cancellationToken);

    /// <summary>
    /// Generates synchronously (<c>POST /api/ai/videos/generate</c>) under a caller-chosen idempotency key: repeating
    /// the call with the same key and body, even from another process, returns the same generation.
    /// </summary>
    /// <param name="request">What to generate.</param>
    /// <param name="idempotencyKey">The <c>Idempotency-Key</c> (1-255 printable ASCII characters); null for a new random one.</param>
    /// <param name="cancellationToken">Cancels waiting; the generation itself goes on.</param>
    /// <returns>The video (URL or bytes) and the generation id.</returns>
    /// <exception cref="PaddockException">400 for an invalid request, 409 <c>idempotency_conflict</c> when the key was used for another body, and the like.</exception>
    public async Task<VideoGenerationResult> GenerateAsync(VideoGenerationRequest request, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIdempotencyKey(idempotencyKey);
        var key = idempotencyKey ?? CreateIdempotencyKey();
        var body = request.ToJson().ToJsonString();
        var uri = _pipeline.Resolve("api/ai/videos/generate");
        using var response = await _pipeline.SendAsync(() => PostJson(uri, body, key), new CallSettings(Options.GenerateTimeout), cancellationToken).ConfigureAwait(false);
        return new VideoGenerationResult(await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Queues generations (<c>POST /api/ai/queue</c>): one per <see cref="VideoGenerationRequest.NumGenerations"/>, durable
    /// before this returns. Sends a new <c>Idempotency-Key</c>, the same on every retry, so a retry after a lost answer
    /// never queues the work twice.
    /// </summary>
    /// <param name="request">What to generate.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One operation per generation, to await, cancel or download.</returns>
    public Task<IReadOnlyList<GenerationOperation>> EnqueueAsync(VideoGenerationRequest request, CancellationToken cancellationToken = default) =>
        EnqueueAsync(request, idempotencyKey: null, cancellationToken);

    /// <summary>Queues generations (<c>POST /api/ai/queue</c>) under a caller-chosen idempotency key: repeating the call with the same key and body returns the same generations.</summary>
    /// <param name="request">What to generate.</param>
    /// <param name="idempotencyKey">The <c>Idempotency-Key</c> (1-255 printable ASCII characters); null for a new random one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One operation per generation.</returns>
    /// <exception cref="PaddockException">400 for an invalid request, 409 <c>idempotency_conflict</c> when the key was used for another body, and the like.</exception>
    public async Task<IReadOnlyList<GenerationOperation>> EnqueueAsync(VideoGenerationRequest request, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIdempotencyKey(idempotencyKey);
        var key = idempotencyKey ?? CreateIdempotencyKey();
        var body = request.ToJson().ToJsonString();
        var uri = _pipeline.Resolve("api/ai/queue");
        using var response = await _pipeline.SendAsync(() => PostJson(uri, body, key), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        var operations = new List<GenerationOperation>();
        foreach (var item in Json.Items(json, "generations"))
        {
            var id = Json.String(item, "generation_id") ?? Json.String(item, "id");
            if (id is null) continue;
            var status = Json.String(item, "status") is { Length: > 0 } s ? new GenerationStatus(s) : GenerationStatus.Queued;
            operations.Add(new GenerationOperation(this, id, status));
        }
        if (operations.Count == 0)
            throw new PaddockException((int)response.StatusCode, "invalid_response", "The server accepted the request but named no generation.", json.GetRawText(), json.GetRawText());
        return operations;
    }

    /// <summary>Reads a generation's row (<c>GET /api/ai/queue/{generation_id}</c>).</summary>
    /// <param name="generationId">The generation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row; its result URL is freshly signed.</returns>
    /// <exception cref="PaddockException">404 <c>resource_not_found</c> for an unknown id (or another namespace's).</exception>
    public async Task<Generation> GetGenerationAsync(string generationId, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve($"api/ai/queue/{Segment(generationId, nameof(generationId))}");
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (json.ValueKind != JsonValueKind.Object)
            throw new PaddockException((int)response.StatusCode, "invalid_response", "The server's answer is not a generation row.", json.GetRawText(), json.GetRawText());
        return Generation.FromJson(json);
    }

    /// <summary>An operation for a generation created earlier (by id), to await, cancel or download it. Makes no call; <see cref="GenerationOperation.Status"/> is unknown until the first update.</summary>
    /// <param name="generationId">The generation id.</param>
    /// <returns>The operation.</returns>
    public GenerationOperation GetGenerationOperation(string generationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(generationId);
        return new GenerationOperation(this, generationId, default);
    }

    /// <summary>Lists the active generations, queued and processing, newest first (<c>GET /api/ai/queue</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    public Task<GenerationList> ListGenerationsAsync(CancellationToken cancellationToken = default) =>
        ListGenerationsAsync(options: null, cancellationToken);

    /// <summary>Lists generations, newest first (<c>GET /api/ai/queue</c>); without a status filter only active ones.</summary>
    /// <param name="options">Filters by status, model, media type, namespace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    public async Task<GenerationList> ListGenerationsAsync(ListGenerationsOptions? options, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve("api/ai/queue", options?.ToQuery());
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        return new GenerationList(await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads one page of all generations, every status, newest first (<c>GET /api/ai/generations</c>).</summary>
    /// <param name="pageNumber">The page, from 1.</param>
    /// <param name="pageSize">Rows per page, 1 to 1000.</param>
    /// <param name="options">Filters; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public async Task<GenerationPage> GetGenerationsPageAsync(int pageNumber, int pageSize, ListGenerationsOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var query = new List<KeyValuePair<string, string?>>
        {
            new("page", pageNumber.ToString(CultureInfo.InvariantCulture)),
            new("page_size", pageSize.ToString(CultureInfo.InvariantCulture)),
        };
        if (options is not null) query.AddRange(options.ToQuery());
        var uri = _pipeline.Resolve("api/ai/generations", query);
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        return new GenerationPage(await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false), pageNumber, pageSize);
    }

    /// <summary>Every generation, every status, newest first, paging through <c>GET /api/ai/generations</c> as it is enumerated.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The rows, each once.</returns>
    public IAsyncEnumerable<Generation> ListAllGenerationsAsync(CancellationToken cancellationToken = default) =>
        ListAllGenerationsAsync(options: null, pageSize: 100, cancellationToken);

    /// <summary>
    /// Every generation that matches the filters, newest first, paging through <c>GET /api/ai/generations</c> as it is
    /// enumerated. A row that moves to a later page while paging (because new ones arrived) is returned only once.
    /// </summary>
    /// <param name="options">Filters; null for none.</param>
    /// <param name="pageSize">Rows per request, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The rows, each once.</returns>
    public async IAsyncEnumerable<Generation> ListAllGenerationsAsync(ListGenerationsOptions? options, int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var page = 1; ; page++)
        {
            var result = await GetGenerationsPageAsync(page, pageSize, options, cancellationToken).ConfigureAwait(false);
            foreach (var generation in result.Generations)
            {
                if (seen.Add(generation.Id)) yield return generation;
            }
            if (result.Generations.Count == 0) yield break;
            var last = result.TotalPages is { } total ? page >= total : result.Generations.Count < result.PageSize;
            if (last) yield break;
        }
    }

    /// <summary>
    /// Cancels a generation (<c>DELETE /api/ai/queue/{generation_id}</c>): a queued one never starts, a render in
    /// progress stops. Nothing changes for one that already ended.
    /// </summary>
    /// <param name="generationId">The generation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server took the cancel.</returns>
    /// <exception cref="PaddockException">404 for an unknown id.</exception>
    public async Task CancelGenerationAsync(string generationId, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve($"api/ai/queue/{Segment(generationId, nameof(generationId))}");
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), Ordinary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pins a generation (<c>POST /api/ai/queue/{generation_id}/pin</c>): its output never expires, whatever the server's
    /// retention setting. Any status may be pinned.
    /// </summary>
    /// <param name="generationId">The generation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row, with <see cref="Generation.Pinned"/> true and <see cref="Generation.ExpiresAt"/> null.</returns>
    /// <exception cref="PaddockException">404 for an unknown id; 410 <c>expired</c> when the output already expired.</exception>
    public Task<Generation> PinGenerationAsync(string generationId, CancellationToken cancellationToken = default) =>
        SetPinnedAsync(generationId, HttpMethod.Post, cancellationToken);

    /// <summary>Unpins a generation (<c>DELETE /api/ai/queue/{generation_id}/pin</c>): its output expires under the retention setting again.</summary>
    /// <param name="generationId">The generation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row, with <see cref="Generation.Pinned"/> false.</returns>
    /// <exception cref="PaddockException">404 for an unknown id; 410 <c>expired</c> when the output already expired.</exception>
    public Task<Generation> UnpinGenerationAsync(string generationId, CancellationToken cancellationToken = default) =>
        SetPinnedAsync(generationId, HttpMethod.Delete, cancellationToken);

    private async Task<Generation> SetPinnedAsync(string generationId, HttpMethod method, CancellationToken cancellationToken)
    {
        var uri = _pipeline.Resolve($"api/ai/queue/{Segment(generationId, nameof(generationId))}/pin");
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(method, uri), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (json.ValueKind != JsonValueKind.Object)
            throw new PaddockException((int)response.StatusCode, "invalid_response", "The server's answer is not a generation row.", json.GetRawText(), json.GetRawText());
        return Generation.FromJson(json);
    }

    /// <summary>
    /// Deletes a finished generation and its video for good (<c>DELETE /api/ai/generations/{generation_id}</c>). A queued
    /// or running one is refused (409): cancel it first with <see cref="CancelGenerationAsync"/>.
    /// </summary>
    /// <param name="generationId">The generation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the row is gone.</returns>
    /// <exception cref="PaddockException">404 for an unknown id (or another namespace's); 409 <c>still_active</c> for a queued or running one.</exception>
    public async Task DeleteGenerationAsync(string generationId, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve($"api/ai/generations/{Segment(generationId, nameof(generationId))}");
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), Ordinary, cancellationToken).ConfigureAwait(false);
    }
}
