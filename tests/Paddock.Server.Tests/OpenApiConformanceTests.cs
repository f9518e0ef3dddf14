using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Blobs;
using Paddock.Core.References;
using Paddock.Core.Security;
using Paddock.Server.OpenApi;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// The served OpenAPI document cannot drift from the API: every route is driven for real on a Kestrel at 127.0.0.1
/// (successes and the errors a client meets) and each answer is judged against the document — status listed, content
/// type listed, body valid against the operation's schema, each event of the stream against its event's schema — and
/// every operation of the document must have been driven. A route mapped without its documentation fails by name.
/// </summary>
public sealed class OpenApiConformanceTests(OpenApiServerFixture fixture) : IClassFixture<OpenApiServerFixture>
{
    private PaddockHost Server => fixture.Server;

    [Fact]
    public async Task EveryRouteAnswersAsTheDocumentSays()
    {
        var contract = await OpenApiContract.LoadAsync(Server.BaseUrl);
        var key = Server.Client;
        using var anonymous = Server.CreateClient(null);
        using var wrongKey = Server.CreateClient("pdk_not_a_key");
        using var otherNamespace = Server.CreateClient(await Server.CreateKeyAsync("openapi-other"));

        // Health and the workbench: no key.
        await contract.SendAsync(anonymous, Get("api/health"), "/api/health");
        await contract.SendAsync(anonymous, Get("health"), "/health");
        await contract.SendAsync(anonymous, Get(""), "/");
        await contract.SendAsync(anonymous, Get("workbench"), "/workbench");
        await contract.SendAsync(anonymous, Get("workbench/happyhorse-1.0-r2v"), "/workbench/{model}");
        await contract.SendAsync(key, Get("api/whoami"), "/api/whoami");
        await contract.SendAsync(anonymous, Get("api/whoami"), "/api/whoami");

        // Models.
        await contract.SendAsync(key, Get("api/ai/models"), "/api/ai/models");
        await contract.SendAsync(key, Get("api/ai/models?developer_name=Alibaba"), "/api/ai/models");
        await contract.SendAsync(anonymous, Get("api/ai/models"), "/api/ai/models");
        await contract.SendAsync(wrongKey, Get("api/ai/models"), "/api/ai/models");
        await contract.SendAsync(key, Get("api/ai/models/search?search=r2v"), "/api/ai/models/search");
        await contract.SendAsync(key, Get("api/ai/models/happyhorse-1.0-r2v"), "/api/ai/models/{id}");
        await contract.SendAsync(key, Get("api/ai/models/no-such-model"), "/api/ai/models/{id}");

        // Synchronous generation: a video as a URL and inline, and the errors of a bad request.
        const string small = "\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"A paper boat on a pond\",\"resolution\":\"720P\",\"duration\":3,\"seed\":11";
        var (_, syncBody) = await contract.SendAsync(key, PostJson("api/ai/videos/generate", $"{{{small}}}"), "/api/ai/videos/generate");
        var syncId = JsonNode.Parse(syncBody)!["generation_id"]!.GetValue<string>();
        await contract.SendAsync(key, PostJson("api/ai/videos/generate", $"{{{small},\"response_format\":\"b64_json\"}}"), "/api/ai/videos/generate");
        await contract.SendAsync(key, PostJson("api/ai/videos/generate", "{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"x\",\"duration\":99}"), "/api/ai/videos/generate");
        await contract.SendAsync(key, PostJson("api/ai/videos/generate", "{\"model\":\"no-such-model\",\"prompt\":\"x\"}"), "/api/ai/videos/generate");
        await contract.SendAsync(key, PostJson("api/ai/videos/generate", $"{{{small},\"target_namespace\":\"someone-else\"}}"), "/api/ai/videos/generate");
        await contract.SendAsync(key, PostJson("api/ai/videos/generate", "not json"), "/api/ai/videos/generate");
        await contract.SendAsync(anonymous, PostJson("api/ai/videos/generate", $"{{{small}}}"), "/api/ai/videos/generate");

        // Every model's request, built from its schema in the document, is one the server takes.
        var models = contract.Document["components"]!["schemas"]!.AsObject().Where(s => s.Key.StartsWith("VideoRequest_", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, models.Count); // the default catalog's six HappyHorse models
        foreach (var model in models)
        {
            var id = model.Value!["properties"]!["model"]!["const"]!.GetValue<string>();
            var request = new JsonObject { ["model"] = id, ["prompt"] = "A lighthouse at dusk", ["duration"] = 3, ["resolution"] = "720P" };
            if (model.Value!["properties"]!["input_image"] is not null) request["input_image"] = "data:image/png;base64," + Convert.ToBase64String(TestImages.Png(640, 480, SKColors.Orange, SKColors.SkyBlue));
            contract.Validate($"request of {id}", new JsonObject { ["$ref"] = "#/components/schemas/VideoRequest" }, JsonDocument.Parse(request.ToJsonString()).RootElement);
            var (response, _) = await contract.SendAsync(key, PostJson("api/ai/queue", request.ToJsonString()), "/api/ai/queue");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The queue.
        var (_, queuedBody) = await contract.SendAsync(key, PostJson("api/ai/queue", $"{{{small},\"num_generations\":2}}"), "/api/ai/queue");
        var queued = JsonNode.Parse(queuedBody)!["generations"]!.AsArray().Select(g => g!["generation_id"]!.GetValue<string>()).ToList();
        await contract.SendAsync(key, PostJson("api/ai/queue", $"{{{small},\"num_generations\":9}}"), "/api/ai/queue");
        await contract.SendAsync(key, PostJson("api/ai/queue", "{\"model\":\"no-such-model\",\"prompt\":\"x\"}"), "/api/ai/queue");
        var idempotent = PostJson("api/ai/queue", $"{{{small}}}");
        idempotent.Headers.Add("Idempotency-Key", "openapi-conformance");
        await contract.SendAsync(key, idempotent, "/api/ai/queue");
        var conflicting = PostJson("api/ai/queue", $"{{{small.Replace("\"seed\":11", "\"seed\":12", StringComparison.Ordinal)}}}");
        conflicting.Headers.Add("Idempotency-Key", "openapi-conformance");
        var (conflict, _) = await contract.SendAsync(key, conflicting, "/api/ai/queue");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        await contract.SendAsync(key, Get("api/ai/queue"), "/api/ai/queue");
        await contract.SendAsync(key, Get("api/ai/queue?status=all&page_size=2"), "/api/ai/queue");
        await contract.SendAsync(key, Get("api/ai/queue?status=bogus"), "/api/ai/queue");
        await contract.SendAsync(key, Get("api/ai/queue?namespace=someone-else"), "/api/ai/queue");
        await contract.SendAsync(key, Get($"api/ai/queue/{queued[0]}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, Get($"api/ai/queue/{syncId}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, Get($"api/ai/queue/{Guid.NewGuid()}"), "/api/ai/queue/{id}");
        await contract.SendAsync(otherNamespace, Get($"api/ai/queue/{syncId}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{queued[1]}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{syncId}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{Guid.NewGuid()}"), "/api/ai/queue/{id}");
        await contract.SendAsync(key, Get("api/ai/generations?page=1&page_size=3"), "/api/ai/generations");
        await contract.SendAsync(key, Get("api/ai/generations?page_size=0"), "/api/ai/generations");
        await contract.SendAsync(key, Get("api/ai/generations?namespace=someone-else"), "/api/ai/generations");

        // A failed generation's row and event: a reference the server cannot fetch fails the row, naming the image.
        var failing = await Api.EnqueueAsync(key, new { model = "happyhorse-1.0-r2v", prompt = "Image 1 waves", reference_images = new[] { fixture.Images.BaseUrl + "/missing.png" }, duration = 3, resolution = "720P" });
        var failedRow = await Api.WaitTerminalAsync(key, failing[0]);
        Assert.Equal("failed", failedRow["status"]!.GetValue<string>());
        await contract.SendAsync(key, Get($"api/ai/queue/{failing[0]}"), "/api/ai/queue/{id}");

        // The event stream, replayed from its start: every frame's data against its event's schema.
        await CheckEventStreamAsync(contract, key, mustSee: [syncId, queued[1], failing[0]]);
        await contract.SendAsync(anonymous, Get("api/events"), "/api/events");

        // The output, at its signed URL, as a player fetches it.
        var resultUrl = JsonNode.Parse((await contract.SendAsync(key, Get($"api/ai/queue/{syncId}"), "/api/ai/queue/{id}")).Body)!["result_url"]!.GetValue<string>();
        const string output = "/api/outputs/{ns}/{file}";
        var (video, _) = await contract.SendAsync(anonymous, Get(resultUrl), output);
        await contract.SendAsync(anonymous, WithRange(Get(resultUrl), "bytes=0-99"), output);
        await contract.SendAsync(anonymous, WithRange(Get(resultUrl), "bytes=999999999-"), output);
        var unchanged = Get(resultUrl);
        unchanged.Headers.IfNoneMatch.Add(video.Headers.ETag!);
        await contract.SendAsync(anonymous, unchanged, output);
        await contract.SendAsync(anonymous, new HttpRequestMessage(HttpMethod.Head, resultUrl), output);
        await contract.SendAsync(anonymous, Get(resultUrl.Replace("sig=", "sig=0", StringComparison.Ordinal)), output);
        await contract.SendAsync(anonymous, Get(resultUrl.Split('?')[0]), output);
        await contract.SendAsync(anonymous, new HttpRequestMessage(HttpMethod.Head, resultUrl.Split('?')[0]), output);
        await contract.SendAsync(anonymous, Get($"api/outputs/default/not-a-video.txt"), output);

        // A reference image link, as a remote engine's provider fetches it.
        await CheckReferenceLinkAsync(contract, anonymous);

        // Files: upload, download with a key and at a signed URL, ranges, and the errors.
        await CheckFilesAsync(contract, key, anonymous, wrongKey, otherNamespace);

        // Retention: pinning a generation, and deleting one (a finished one goes; a queued one is refused; another namespace's is a 404).
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Post, $"api/ai/queue/{syncId}/pin"), "/api/ai/queue/{id}/pin");
        await contract.SendAsync(otherNamespace, new HttpRequestMessage(HttpMethod.Post, $"api/ai/queue/{syncId}/pin"), "/api/ai/queue/{id}/pin");
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{syncId}/pin"), "/api/ai/queue/{id}/pin");
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{Guid.NewGuid()}/pin"), "/api/ai/queue/{id}/pin");
        await contract.SendAsync(otherNamespace, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/generations/{failing[0]}"), "/api/ai/generations/{id}");
        var (deletedGeneration, _) = await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/generations/{failing[0]}"), "/api/ai/generations/{id}");
        Assert.Equal(HttpStatusCode.OK, deletedGeneration.StatusCode);
        var stillQueued = (await Api.EnqueueAsync(key, new { model = "happyhorse-1.0-t2v", prompt = "A paper boat on a pond", duration = 15, resolution = "1080P" }))[0];
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/ai/generations/{stillQueued}"), "/api/ai/generations/{id}");
        await key.DeleteAsync($"api/ai/queue/{stillQueued}");

        // Webhooks: endpoints, their deliveries and a request's own webhook_url, the signer, and the errors.
        await CheckWebhooksAsync(contract, key, anonymous, otherNamespace);

        // Usage of the namespace, and the errors of a bad range.
        await contract.SendAsync(key, Get("api/usage"), "/api/usage");
        await contract.SendAsync(key, Get("api/usage?from=2025-01-01&to=2025-01-31"), "/api/usage");
        await contract.SendAsync(key, Get("api/usage?from=2025-13-01"), "/api/usage");
        await contract.SendAsync(key, Get("api/usage?from=2025-02-01&to=2025-01-01"), "/api/usage");
        await contract.SendAsync(anonymous, Get("api/usage"), "/api/usage");

        // The admin API: its own key, every route and its errors.
        await CheckAdminAsync(contract, key, anonymous);

        // The probes: live and ready, and ready's 503 on a server that cannot render (no ffmpeg).
        foreach (var probe in new[] { "/health/live", "/health/ready" })
        {
            var (answer, _) = await contract.SendAsync(anonymous, Get(probe[1..]), probe);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            await contract.SendAsync(anonymous, new HttpRequestMessage(HttpMethod.Head, probe[1..]), probe);
        }
        await using (var noFfmpeg = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Engines:Builtin:FfmpegPath"] = "/nonexistent/ffmpeg" }))
        {
            using var probe = noFfmpeg.CreateClient(null);
            var (notReady, _) = await contract.SendAsync(probe, Get("health/ready"), "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        // Every operation of the document was driven at least once.
        var driven = contract.Checked.Select(c => string.Join(' ', c.Split(' ').Take(2))).ToHashSet(StringComparer.Ordinal);
        var undriven = contract.Operations.Where(o => !driven.Contains(o)).ToList();
        Assert.True(undriven.Count == 0,
            "these operations of the OpenAPI document were never driven by this test, so nothing checks their answers against it; add a request for each above: "
            + string.Join(", ", undriven));
    }

    /// <summary>
    /// Every route the server maps is in the document with a summary and its answers; only the routes listed here (the
    /// document itself, the reference page, the workbench's own files) are left out of it. A new route without its
    /// <c>.Doc(...).Returns(...)</c> chain fails here, by name.
    /// </summary>
    [Fact]
    public async Task EveryMappedRouteIsDocumented()
    {
        var contract = await OpenApiContract.LoadAsync(Server.BaseUrl);
        var endpoints = Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = PathOf(endpoint.RoutePattern);
            // The OpenAI-compatible face is described by OpenAI's own API reference (docs/openai.md), not by this document.
            if (PaddockOpenApi.IsOpenAiCompatible(path)) continue;
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
            {
                if (!IsLeftOutOnPurpose(path)) problems.Add($"{path}: excluded from the document; only the document, the reference page and the workbench's files may be");
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            // A route of every method (Map, MapHealthChecks) is invisible to the document's generator.
            if (methods.Count == 0) problems.Add($"{path}: answers every method, so the document cannot describe it; give it its methods (MapGet, MapMethods, or HttpMethodMetadata)");
            foreach (var method in methods)
            {
                var operation = contract.Operation(method, path);
                if (operation is null) problems.Add($"{method} {path}: missing from the OpenAPI document");
                else if (operation["summary"] is null || operation["operationId"] is null || !endpoint.Metadata.OfType<IOperationDoc>().Any(d => d is ResponseDoc))
                    problems.Add($"{method} {path}: mapped without its documentation; add .Doc(\"OperationId\", \"…\").Returns(…).Errors(…) where it is mapped (see OpenApi/ApiDocs.cs)");
                else
                {
                    var declared = (operation["parameters"] as JsonArray ?? []).Where(p => p?["in"]?.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>());
                    foreach (var parameter in endpoint.RoutePattern.Parameters.Select(p => p.Name).Except(declared))
                        problems.Add($"{method} {path}: the route parameter {{{parameter}}} is not declared; add .Path(\"{parameter}\", \"…\") where it is mapped");
                }
            }
        }
        var openAi = contract.Document["paths"]!.AsObject().Select(p => p.Key).Where(PaddockOpenApi.IsOpenAiCompatible).ToList();
        Assert.True(openAi.Count == 0, "the OpenAI-compatible routes are OpenAI's reference's to describe, not this document's: " + string.Join(", ", openAi));
        Assert.True(problems.Count == 0, "routes the OpenAPI document does not describe:\n  " + string.Join("\n  ", problems));
        Assert.Contains(endpoints, e => PathOf(e.RoutePattern) == "/api/ai/queue/{id}");
    }

    /// <summary>The committed docs/openapi.json is the document a default server serves (refresh: see docs/integrators.md).</summary>
    [Fact]
    public async Task CommittedDocumentIsTheServedOne()
    {
        using var anonymous = Server.CreateClient(null);
        var served = await anonymous.GetStringAsync("openapi/v1.json");
        var committedPath = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("PADDOCK_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(committedPath, served.ReplaceLineEndings("\n").TrimEnd() + "\n");
        var committed = File.Exists(committedPath) ? JsonNode.Parse(await File.ReadAllTextAsync(committedPath)) : null;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(served), committed),
            "docs/openapi.json is not the document the server serves; refresh it with: "
            + "PADDOCK_UPDATE_OPENAPI=1 dotnet test tests/Paddock.Server.Tests -c Release --filter CommittedDocumentIsTheServedOne");
    }

    private static async Task CheckEventStreamAsync(OpenApiContract contract, HttpClient key, IReadOnlyList<string> mustSee)
    {
        var request = Get("api/events");
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await key.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = new StringBuilder();
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            // Until each generation's end (completed, or cancelled) has been read.
            var ended = new HashSet<string>();
            string? type = null;
            while (ended.Count < mustSee.Count && await reader.ReadLineAsync(reading.Token) is { } line)
            {
                text.Append(line).Append('\n');
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                if (line.StartsWith("data: ", StringComparison.Ordinal) && type is "media_generation_completed" or "media_generation_cancelled")
                    foreach (var id in mustSee.Where(id => line.Contains($"\"generation_id\":\"{id}\"", StringComparison.Ordinal))) ended.Add(id);
            }
            Assert.True(ended.Count == mustSee.Count, $"the event stream ended before the ends of {string.Join(", ", mustSee.Except(ended))}:\n{text}");
        }
        contract.Check("GET", "/api/events", response, text.ToString());
        foreach (var type in new[] { "media_generation_started", "media_generation_completed", "media_generation_cancelled" })
            Assert.Contains($"GET /api/events 200 event {type}", contract.Checked);
    }

    private async Task CheckReferenceLinkAsync(OpenApiContract contract, HttpClient anonymous)
    {
        const string route = "/api/references/{file}";
        var image = TestImages.Png(600, 450, SKColors.Teal, SKColors.Beige);
        var hex = Convert.ToHexStringLower(SHA256.HashData(image));
        using (var content = new MemoryStream(image)) await Server.Services.GetRequiredService<IBlobStore>().PutAsync(ReferenceLinks.BlobKey(hex), content);
        var path = $"{ReferenceLinks.RoutePrefix}{hex}.png";
        var (query, _) = Server.Services.GetRequiredService<UrlSigner>().Sign(path, TimeSpan.FromMinutes(5));
        var (found, body) = await contract.SendAsync(anonymous, Get($"{path[1..]}?{query}"), route);
        Assert.Equal(image.Length, found.Content.Headers.ContentLength);
        await contract.SendAsync(anonymous, WithRange(Get($"{path[1..]}?{query}"), "bytes=0-9"), route);
        await contract.SendAsync(anonymous, new HttpRequestMessage(HttpMethod.Head, $"{path[1..]}?{query}"), route);
        await contract.SendAsync(anonymous, Get(path[1..]), route);
        await contract.SendAsync(anonymous, new HttpRequestMessage(HttpMethod.Head, path[1..]), route);
        await contract.SendAsync(anonymous, Get("api/references/not-a-hash.png"), route);
    }

    private async Task CheckWebhooksAsync(OpenApiContract contract, HttpClient key, HttpClient anonymous, HttpClient otherNamespace)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (created, createdBody) = await contract.SendAsync(key, PostJson("api/webhooks", $"{{\"url\":\"{receiver.Url}\",\"events\":[\"media_generation_completed\"],\"description\":\"openapi\"}}"), "/api/webhooks");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hook = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
        await contract.SendAsync(key, PostJson("api/webhooks", "{\"url\":\"not a url\",\"events\":[\"nothing\"]}"), "/api/webhooks");
        await contract.SendAsync(key, PostJson("api/webhooks", "not json"), "/api/webhooks");
        await contract.SendAsync(anonymous, PostJson("api/webhooks", $"{{\"url\":\"{receiver.Url}\"}}"), "/api/webhooks");
        await contract.SendAsync(key, Get("api/webhooks"), "/api/webhooks");
        await contract.SendAsync(key, Get($"api/webhooks/{hook}"), "/api/webhooks/{id}");
        await contract.SendAsync(otherNamespace, Get($"api/webhooks/{hook}"), "/api/webhooks/{id}");

        // A generation told to the endpoint and to the request's own webhook_url (a delivery without webhook_id).
        var request = new JsonObject { ["model"] = "happyhorse-1.0-t2v", ["prompt"] = "A kite over a beach", ["resolution"] = "720P", ["duration"] = 3, ["webhook_url"] = receiver.Url };
        contract.Validate("request with webhook_url", new JsonObject { ["$ref"] = "#/components/schemas/VideoRequest" }, JsonDocument.Parse(request.ToJsonString()).RootElement);
        var (_, queuedBody) = await contract.SendAsync(key, PostJson("api/ai/queue", request.ToJsonString()), "/api/ai/queue");
        var generation = JsonNode.Parse(queuedBody)!["generations"]![0]!["generation_id"]!.GetValue<string>();
        await Api.WaitTerminalAsync(key, generation);
        await receiver.WaitForAsync(r => r.Count >= 2);

        var (_, byEndpoint) = await contract.SendAsync(key, Get($"api/webhooks/{hook}/deliveries"), "/api/webhooks/{id}/deliveries");
        var delivery = JsonNode.Parse(byEndpoint)!["deliveries"]![0]!["id"]!.GetValue<string>();
        await contract.SendAsync(key, Get($"api/webhooks/{hook}/deliveries?limit=0"), "/api/webhooks/{id}/deliveries");
        await contract.SendAsync(key, Get("api/webhooks/wh_missing/deliveries"), "/api/webhooks/{id}/deliveries");
        var (_, byGeneration) = await contract.SendAsync(key, Get($"api/webhooks/deliveries?generation_id={generation}"), "/api/webhooks/deliveries");
        Assert.Equal(2, JsonNode.Parse(byGeneration)!["count"]!.GetValue<int>());
        await contract.SendAsync(key, Get("api/webhooks/deliveries"), "/api/webhooks/deliveries");
        await contract.SendAsync(key, Get("api/webhooks/deliveries?generation_id=not-an-id"), "/api/webhooks/deliveries");
        await contract.SendAsync(key, Get($"api/webhooks/deliveries/{delivery}"), "/api/webhooks/deliveries/{deliveryId}");
        await contract.SendAsync(otherNamespace, Get($"api/webhooks/deliveries/{delivery}"), "/api/webhooks/deliveries/{deliveryId}");
        await contract.SendAsync(key, PostJson($"api/webhooks/deliveries/{delivery}/redeliver", ""), "/api/webhooks/deliveries/{deliveryId}/redeliver");
        await contract.SendAsync(key, PostJson("api/webhooks/deliveries/msg_missing/redeliver", ""), "/api/webhooks/deliveries/{deliveryId}/redeliver");

        await contract.SendAsync(key, Get("api/webhooks/request-signer"), "/api/webhooks/request-signer");
        await contract.SendAsync(key, PostJson("api/webhooks/request-signer/rotate", ""), "/api/webhooks/request-signer/rotate");
        await contract.SendAsync(key, PostJson($"api/webhooks/{hook}/rotate", ""), "/api/webhooks/{id}/rotate");
        await contract.SendAsync(key, PostJson("api/webhooks/wh_missing/rotate", ""), "/api/webhooks/{id}/rotate");
        var (deleted, _) = await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/webhooks/{hook}"), "/api/webhooks/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, $"api/webhooks/{hook}"), "/api/webhooks/{id}");
    }

    private async Task CheckAdminAsync(OpenApiContract contract, HttpClient key, HttpClient anonymous)
    {
        using var admin = Server.CreateClient(AdminApiTests.AdminKey);
        await contract.SendAsync(admin, Get("api/admin/namespaces"), "/api/admin/namespaces");
        await contract.SendAsync(key, Get("api/admin/namespaces"), "/api/admin/namespaces");
        await contract.SendAsync(anonymous, Get("api/admin/namespaces"), "/api/admin/namespaces");
        await contract.SendAsync(admin, PostJson("api/admin/namespaces", "{\"namespace\":\"openapi-admin\",\"key_name\":\"first\",\"limits\":{\"max_queued\":10}}"), "/api/admin/namespaces");
        await contract.SendAsync(admin, PostJson("api/admin/namespaces", "{\"namespace\":\"openapi-admin\"}"), "/api/admin/namespaces");
        await contract.SendAsync(admin, PostJson("api/admin/namespaces", "{}"), "/api/admin/namespaces");
        await contract.SendAsync(admin, Get("api/admin/namespaces/openapi-admin/limits"), "/api/admin/namespaces/{ns}/limits");
        await contract.SendAsync(admin, Get("api/admin/namespaces/nobody/limits"), "/api/admin/namespaces/{ns}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Put, "api/admin/namespaces/openapi-admin/limits")
            { Content = new StringContent("{\"requests_per_minute\":1000,\"budgets\":[{\"resolution\":\"1080P\",\"period\":\"month\",\"seconds\":3600}]}", System.Text.Encoding.UTF8, "application/json") },
            "/api/admin/namespaces/{ns}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Put, "api/admin/namespaces/openapi-admin/limits")
            { Content = new StringContent("{\"max_queued\":-1}", System.Text.Encoding.UTF8, "application/json") }, "/api/admin/namespaces/{ns}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, "api/admin/namespaces/openapi-admin/limits"), "/api/admin/namespaces/{ns}/limits");
        var (_, hookBody) = await contract.SendAsync(admin, PostJson("api/admin/namespaces/openapi-admin/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\"}"), "/api/admin/namespaces/{ns}/webhooks");
        await contract.SendAsync(admin, PostJson("api/admin/namespaces/openapi-admin/webhooks", "{\"url\":5}"), "/api/admin/namespaces/{ns}/webhooks");
        await contract.SendAsync(admin, Get("api/admin/namespaces/openapi-admin/webhooks"), "/api/admin/namespaces/{ns}/webhooks");
        var hook = JsonNode.Parse(hookBody)!["id"]!.GetValue<string>();
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, $"api/admin/namespaces/openapi-admin/webhooks/{hook}"), "/api/admin/namespaces/{ns}/webhooks/{id}");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, $"api/admin/namespaces/openapi-admin/webhooks/{hook}"), "/api/admin/namespaces/{ns}/webhooks/{id}");

        var (_, keyBody) = await contract.SendAsync(admin, PostJson("api/admin/keys", "{\"namespace\":\"openapi-admin\",\"name\":\"second\",\"limits\":{\"priority\":5}}"), "/api/admin/keys");
        await contract.SendAsync(admin, PostJson("api/admin/keys", "{\"namespace\":\"no/such\"}"), "/api/admin/keys");
        var id = JsonNode.Parse(keyBody)!["id"]!.GetValue<string>();
        await contract.SendAsync(admin, Get("api/admin/keys"), "/api/admin/keys");
        await contract.SendAsync(admin, Get("api/admin/keys?namespace=bad/name"), "/api/admin/keys");
        await contract.SendAsync(admin, Get($"api/admin/keys/{id}"), "/api/admin/keys/{id}");
        await contract.SendAsync(admin, Get("api/admin/keys/key_missing"), "/api/admin/keys/{id}");
        await contract.SendAsync(admin, Get($"api/admin/keys/{id}/limits"), "/api/admin/keys/{id}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Put, $"api/admin/keys/{id}/limits")
            { Content = new StringContent("{\"requests_per_minute\":100}", System.Text.Encoding.UTF8, "application/json") }, "/api/admin/keys/{id}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Put, $"api/admin/keys/{id}/limits")
            { Content = new StringContent("{\"max_running\":1}", System.Text.Encoding.UTF8, "application/json") }, "/api/admin/keys/{id}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, $"api/admin/keys/{id}/limits"), "/api/admin/keys/{id}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, "api/admin/keys/key_missing/limits"), "/api/admin/keys/{id}/limits");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, $"api/admin/keys/{id}"), "/api/admin/keys/{id}");
        await contract.SendAsync(admin, new HttpRequestMessage(HttpMethod.Delete, "api/admin/keys/key_missing"), "/api/admin/keys/{id}");

        await contract.SendAsync(admin, Get("api/admin/usage"), "/api/admin/usage");
        await contract.SendAsync(admin, Get("api/admin/usage?namespace=default&from=2025-01-01&to=2025-01-31"), "/api/admin/usage");
        await contract.SendAsync(admin, Get("api/admin/usage?from=2025-13-01"), "/api/admin/usage");
        await contract.SendAsync(admin, Get("api/admin/queue"), "/api/admin/queue");
        await contract.SendAsync(key, Get("api/admin/queue"), "/api/admin/queue");
    }

    private static async Task CheckFilesAsync(OpenApiContract contract, HttpClient key, HttpClient anonymous, HttpClient wrongKey, HttpClient otherNamespace)
    {
        const string route = "/api/repos/{ns}/{repo}/file/{branch}/{path}";
        const string file = "api/repos/default/openapi/file/main/refs/boat.png";
        var image = TestImages.Png(640, 480, SKColors.Orange, SKColors.Navy);
        HttpRequestMessage Upload(string url)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(image) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "file", "boat.png" } };
            return new HttpRequestMessage(HttpMethod.Put, url) { Content = form };
        }
        var (_, uploaded) = await contract.SendAsync(key, Upload(file), route);
        var signedUrl = JsonNode.Parse(uploaded)!["files"]![0]!["signed_url"]!.GetValue<string>();
        await contract.SendAsync(otherNamespace, Upload(file), route);
        await contract.SendAsync(anonymous, Upload(file), route);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Put, file) { Content = new StringContent("not a form", Encoding.UTF8, "text/plain") }, route);

        var (download, _) = await contract.SendAsync(key, Get(file), route);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Head, file), route);
        await contract.SendAsync(key, WithRange(Get(file), "bytes=0-15"), route);
        await contract.SendAsync(key, WithRange(Get(file), "bytes=99999999-"), route);
        var unchanged = Get(file);
        unchanged.Headers.IfNoneMatch.Add(download.Headers.ETag!);
        await contract.SendAsync(key, unchanged, route);
        await contract.SendAsync(anonymous, Get(signedUrl), route);
        await contract.SendAsync(anonymous, Get(signedUrl.Replace("sig=", "sig=0", StringComparison.Ordinal)), route);
        await contract.SendAsync(wrongKey, Get(file), route);
        await contract.SendAsync(otherNamespace, Get(file), route);
        await contract.SendAsync(key, Get("api/repos/default/openapi/file/main/refs/missing.png"), route);

        // Pinning and deleting: the namespace's own key only (another's gets 404, and nothing changes).
        const string pinRoute = "/api/repos/{ns}/{repo}/pin/{branch}/{path}";
        const string pin = "api/repos/default/openapi/pin/main/refs/boat.png";
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Post, pin), pinRoute);
        await contract.SendAsync(otherNamespace, new HttpRequestMessage(HttpMethod.Post, pin), pinRoute);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, pin), pinRoute);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, "api/repos/default/openapi/pin/main/refs/missing.png"), pinRoute);
        await contract.SendAsync(otherNamespace, new HttpRequestMessage(HttpMethod.Delete, file), route);
        var (deleted, _) = await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, file), route);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await contract.SendAsync(key, new HttpRequestMessage(HttpMethod.Delete, file), route);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Paddock.slnx) is not above the test's folder");
    }

    private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);

    private static HttpRequestMessage PostJson(string url, string json) =>
        new(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpRequestMessage WithRange(HttpRequestMessage request, string range)
    {
        request.Headers.Range = RangeHeaderValue.Parse(range);
        return request;
    }

    /// <summary>The path as the document writes it: parameters without their constraints, a catch-all without its stars.</summary>
    private static string PathOf(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private static bool IsLeftOutOnPurpose(string path) =>
        path == PaddockOpenApi.DocumentRoute.Replace("v1", "{documentName}", StringComparison.Ordinal)
        || path.StartsWith(PaddockOpenApi.ReferenceRoute, StringComparison.Ordinal)
        || path == "/{file}"
        // The OpenAI Videos API face: that API's own published reference is its contract (docs/openai.md, tests/Paddock.OpenAI.Tests).
        || PaddockOpenApi.IsOpenAiCompatible(path);
}

/// <summary>
/// The conformance tests' server: a default one, except that webhooks may reach a receiver on loopback (as an operator
/// allows one on its own network), so that real deliveries are listed; the setting does not change the document.
/// </summary>
public sealed class OpenApiServerFixture : IAsyncLifetime
{
    public PaddockHost Server { get; private set; } = null!;
    public ImageHost Images { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Images = await ImageHost.StartAsync();
        Server = await PaddockHost.StartAsync(new Dictionary<string, string>(WebhookServerFixture.Settings.Concat(AdminApiTests.Settings)));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Images.DisposeAsync();
    }
}
