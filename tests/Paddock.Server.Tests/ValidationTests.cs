using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>Every field rule of happyhorse-1.0-r2v, bad keys and bad bodies: the error envelope, never a 500.</summary>
public sealed class ValidationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Ok = "\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"a horse\"";

    public static TheoryData<string, string> FieldViolations => new()
    {
        { "{\"model\":\"happyhorse-1.0-r2v\"}", "prompt: is required" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"\"}", "prompt: must not be empty" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"   \"}", "prompt: must not be empty" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"" + new string('a', 5001) + "\"}", "prompt: must be at most 5000 characters" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":42}", "prompt: must be a string" },
        { "{" + Ok + ",\"reference_images\":\"http://example.com/a.png\"}", "reference_images: must be an array" },
        { "{" + Ok + ",\"reference_images\":[" + string.Join(",", Enumerable.Repeat("\"https://example.com/a.png\"", 10)) + "]}", "reference_images: at most 9 items" },
        { "{" + Ok + ",\"reference_images\":[7]}", "reference_images[0]: must be a string" },
        { "{" + Ok + ",\"reference_images\":[\"https://example.com/a.png\",\"ftp://example.com/b.png\"]}", "reference_images[1]: must be an http(s) URL" },
        { "{" + Ok + ",\"reference_images\":[\"file:///etc/passwd\"]}", "reference_images[0]: must be an http(s) URL" },
        { "{" + Ok + ",\"aspect_ratio\":\"2:1\"}", "aspect_ratio: must be one of 16:9, 9:16, 1:1, 4:3, 3:4" },
        { "{" + Ok + ",\"aspect_ratio\":169}", "aspect_ratio: must be a string" },
        { "{" + Ok + ",\"resolution\":\"4K\"}", "resolution: must be one of 720P, 1080P" },
        { "{" + Ok + ",\"resolution\":\"1080p\"}", "resolution: must be one of 720P, 1080P" },
        { "{" + Ok + ",\"duration\":2}", "duration: must be between 3 and 15" },
        { "{" + Ok + ",\"duration\":16}", "duration: must be between 3 and 15" },
        { "{" + Ok + ",\"duration\":5.5}", "duration: must be an integer" },
        { "{" + Ok + ",\"duration\":\"5\"}", "duration: must be an integer" },
        { "{" + Ok + ",\"seed\":-1}", "seed: must be between 0 and 2147483647" },
        { "{" + Ok + ",\"seed\":2147483648}", "seed: must be between 0 and 2147483647" },
        { "{" + Ok + ",\"seed\":\"7\"}", "seed: must be an integer" },
        { "{" + Ok + ",\"num_generations\":0}", "num_generations: is 0, but num_generations must be an integer between 1 and 4" },
        { "{" + Ok + ",\"num_generations\":5}", "num_generations: is 5, but num_generations must be an integer between 1 and 4" },
        { "{" + Ok + ",\"num_generations\":1.5}", "num_generations: is 1.5, but num_generations must be an integer between 1 and 4" },
        { "{" + Ok + ",\"num_generations\":\"2\"}", "num_generations: is a string, but num_generations must be an integer between 1 and 4" },
        { "{" + Ok + ",\"durration\":5}", "durration: is not a parameter of happyhorse-1.0-r2v" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"Image 1 meets @image3\",\"reference_images\":[\"https://example.com/a.png\"]}", "prompt: names Image 3 but reference_images has 1 image" },
        { "{" + Ok + ",\"response_format\":\"mp4\"}", "response_format: must be \"url\" or \"b64_json\"" },
        { "{\"prompt\":\"a horse\"}", "model: is required" },
        { "[1,2,3]", "body: must be a JSON object" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"a\", bad}", "body: is not valid JSON" },
        { "", "body: is empty, which is not valid JSON" },
        { "{" + Ok + ",\"duration\":99,\"duration\":5}", "duration: is given twice (at line 1, position 64); send each field once" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"a \\ud800 horse\"}", "prompt: is not valid text" },
        { "{\"model\":\"\\udc00\",\"prompt\":\"x\"}", "model: is not valid text" },
        { "{" + Ok + ",\"reference_images\":[\"https://example.com/\\ud800.png\"]}", "reference_images[0]: is not valid text" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"" + new string('a', 15_000_000) + "\"}", "prompt: must be at most 5000 characters (it is 15000000 bytes long)" },
        { "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"character99999999999999999999 runs\",\"reference_images\":[\"https://example.com/a.png\"]}", "prompt: names \"character99999999999999999999\" but reference_images has 1 image" },
    };

    [Fact]
    public async Task Every_problem_of_a_request_is_named_at_once()
    {
        var (status, error) = await PostAsync("api/ai/queue",
            "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"Image 2 waves\",\"reference_images\":[\"http://example.com/a.png\"],\"duration\":99,\"num_generations\":9}");
        AssertEnvelope(status, error, 400, "invalid_params", "num_generations must be an integer between 1 and 4");
        var detail = error!["error"]!["detail"]!.GetValue<string>();
        Assert.Contains("duration: must be between 3 and 15", detail);
        Assert.Contains("prompt: names Image 2 but reference_images has 1 image", detail);

        (status, error) = await PostAsync("api/ai/queue", "{\"prompt\":\"x\",\"num_generations\":9}");
        AssertEnvelope(status, error, 400, "invalid_params", "model: is required");
        Assert.Contains("num_generations must be an integer between 1 and 4", error!["error"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_cut_short_is_told_it_is_incomplete_not_too_deep()
    {
        // The first hour's truncated paste: a closing brace missing.
        var (status, error) = await PostAsync("api/ai/queue", "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\"");
        AssertEnvelope(status, error, 400, "invalid_params", "body: is not valid JSON: it ends at line 1, position 43 before the JSON is complete (1 bracket is still open)");
        Assert.DoesNotContain("nested", Detail(error));

        // Cut inside a string, a number and a nested array: each is incomplete, not deep and not a bad byte.
        foreach (var cut in new[] { "{\"model\":\"happy", "{\"model\":\"happyhorse-1.0-r2v\",\"duration\":1", "{\"reference_images\":[\"a\",", "{\n  \"prompt\": \"x\",\n" })
        {
            (status, error) = await PostAsync("api/ai/queue", cut);
            AssertEnvelope(status, error, 400, "invalid_params", "before the JSON is complete");
        }
    }

    [Fact]
    public async Task Nesting_too_deep_a_wrong_byte_and_text_after_the_value_are_each_named_with_their_place()
    {
        // The object and 63 arrays are 64 levels: JSON the server reads (and then refuses the unknown field).
        static string Nested(int arrays) => "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\",\"extra\":" + new string('[', arrays) + new string(']', arrays) + "}";
        var (status, error) = await PostAsync("api/ai/queue", Nested(63));
        AssertEnvelope(status, error, 400, "invalid_params", "extra: is not a parameter of happyhorse-1.0-r2v");
        // One more is too deep, and the message points at the bracket that went past the limit.
        (status, error) = await PostAsync("api/ai/queue", Nested(64));
        AssertEnvelope(status, error, 400, "invalid_params", "body: is nested more than 64 levels deep (at line 1, position 115)");

        (status, error) = await PostAsync("api/ai/queue", "{\"model\":\"happyhorse-1.0-r2v\",\n \"prompt\": 'a horse'}");
        AssertEnvelope(status, error, 400, "invalid_params", "body: is not valid JSON: at line 2, position 12: ''' is not valid JSON there");

        (status, error) = await PostAsync("api/ai/queue", "{" + Ok + "} {}");
        AssertEnvelope(status, error, 400, "invalid_params", "body: is not valid JSON: at line 1, position 51: there is more after the end of the JSON value");
    }

    [Fact]
    public async Task A_field_given_twice_is_named_once_with_one_piece_of_advice()
    {
        var (status, error) = await PostAsync("api/ai/queue", "{" + Ok + ",\"seed\":1,\"seed\":2}");
        AssertEnvelope(status, error, 400, "invalid_params", "seed: is given twice");
        var detail = Detail(error);
        Assert.Equal(1, CountOf(detail, "send each field once"));
        Assert.Equal(0, CountOf(detail, "send a JSON object"));
    }

    [Fact]
    public async Task A_prompt_of_30_MB_is_told_the_prompt_limit_not_about_images()
    {
        var (status, error) = await PostAsync("api/ai/queue", "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"" + new string('a', 30_000_000) + "\"}");
        AssertEnvelope(status, error, 400, "invalid_params", "prompt: must be at most 5000 characters (it is 30000000 bytes long)");
        Assert.DoesNotContain("data:", Detail(error));
        Assert.DoesNotContain("prompt: is required", Detail(error));

        // An image as a data: URL that long is told the image limit.
        (status, error) = await PostAsync("api/ai/queue", "{" + Ok + ",\"reference_images\":[\"data:image/png;base64," + new string('A', 15_000_000) + "\"]}");
        AssertEnvelope(status, error, 400, "invalid_params", "reference_images[0]: is 15000022 bytes long; an image is at most 10 MB");
    }

    [Fact]
    public async Task Every_message_about_num_generations_starts_with_its_field_and_keeps_the_seed_wording()
    {
        foreach (var value in new[] { "0", "9", "2.5", "\"two\"", "[1]", "true" })
        {
            var (status, error) = await PostAsync("api/ai/queue", "{" + Ok + ",\"num_generations\":" + value + "}");
            AssertEnvelope(status, error, 400, "invalid_params", "num_generations must be an integer between 1 and 4");
            Assert.StartsWith("num_generations: is ", Detail(error), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_bad_query_parameter_of_a_listing_is_named_at_once()
    {
        using var response = await fixture.Server.Client.GetAsync("api/ai/generations?page=0&page_size=5000&status=done,bogus");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        AssertEnvelope((int)response.StatusCode, error, 400, "invalid_params", "page: must be an integer of at least 1");
        foreach (var part in new[] { "page_size: must be an integer between 1 and 1000", "status: 'done' is not one of", "status: 'bogus' is not one of" })
            Assert.Contains(part, Detail(error));

        using var list = await fixture.Server.Client.GetAsync("api/ai/queue?status=queued,done,bogus");
        var listError = JsonNode.Parse(await list.Content.ReadAsStringAsync());
        AssertEnvelope((int)list.StatusCode, listError, 400, "invalid_params", "status: 'done' is not one of");
        Assert.Contains("status: 'bogus' is not one of", Detail(listError));
    }

    private static string Detail(JsonNode? error) => error!["error"]!["detail"]!.GetValue<string>();

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task Invalid_UTF8_in_a_string_is_a_400_naming_the_field()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"XX\"}");
        var at = Array.IndexOf(body, (byte)'X');
        (body[at], body[at + 1]) = (0xFF, 0xFE);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await fixture.Server.Client.PostAsync("api/ai/queue", content);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        AssertEnvelope((int)response.StatusCode, error, 400, "invalid_params", "prompt: is not valid text (invalid UTF-8");
    }

    [Fact]
    public async Task Null_optional_fields_mean_not_given()
    {
        // What clients that serialise every field send, e.g. Python's None.
        var (status, row) = await PostAsync("api/ai/queue",
            "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"a horse\",\"seed\":null,\"aspect_ratio\":null,\"reference_images\":null,\"resolution\":\"720P\",\"duration\":3}");
        Assert.True(status == 200, row?.ToJsonString());
        var id = row!["generations"]![0]!["generation_id"]!.GetValue<string>();
        var stored = await Api.GetRowAsync(fixture.Server.Client, id);
        Assert.Equal("16:9", stored["aspect_ratio"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Number, stored["seed"]!.GetValueKind());
    }

    [Theory]
    [MemberData(nameof(FieldViolations))]
    public async Task Queue_rejects_a_violation_with_400_naming_the_field(string body, string expectedDetail)
    {
        var (status, error) = await PostAsync("api/ai/queue", body);
        AssertEnvelope(status, error, 400, "invalid_params", expectedDetail);
    }

    [Theory]
    [MemberData(nameof(FieldViolations))]
    public async Task Sync_rejects_a_violation_with_400_naming_the_field(string body, string expectedDetail)
    {
        if (expectedDetail.StartsWith("num_generations", StringComparison.Ordinal)) return; // the queue's own field
        var (status, error) = await PostAsync("api/ai/videos/generate", body);
        AssertEnvelope(status, error, 400, "invalid_params", expectedDetail);
    }

    [Fact]
    public async Task Every_violated_field_is_listed_not_only_the_first()
    {
        var (status, error) = await PostAsync("api/ai/queue", "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"\",\"duration\":99,\"aspect_ratio\":\"5:4\",\"seed\":-3}");
        Assert.Equal(400, status);
        var detail = error!["error"]!["detail"]!.GetValue<string>();
        foreach (var field in new[] { "prompt:", "duration:", "aspect_ratio:", "seed:" }) Assert.Contains(field, detail);
    }

    [Fact]
    public async Task Unknown_model_is_404_with_its_name()
    {
        var (status, error) = await PostAsync("api/ai/queue", "{\"model\":\"sora-9\",\"prompt\":\"a horse\"}");
        AssertEnvelope(status, error, 404, "resource_not_found", "Model not found: sora-9");
        var detail = await fixture.Server.Client.GetAsync("api/ai/models/sora-9");
        AssertEnvelope((int)detail.StatusCode, JsonNode.Parse(await detail.Content.ReadAsStringAsync()), 404, "resource_not_found", "Model not found: sora-9");
    }

    [Theory]
    [InlineData(null, "Authorization header is missing")]
    [InlineData("Bearer pdk_not_a_real_key", "the API key is not valid")]
    [InlineData("Basic dXNlcjpwYXNz", "must be 'Bearer <api key>'")]
    [InlineData("Bearer ", "must be 'Bearer <api key>'")]
    public async Task Missing_or_wrong_key_is_401_on_every_route(string? authorization, string expectedDetail)
    {
        using var client = fixture.Server.CreateClient(null);
        foreach (var (method, path) in new[] { ("POST", "api/ai/queue"), ("POST", "api/ai/videos/generate"), ("GET", "api/ai/queue"), ("GET", "api/ai/models"), ("GET", "api/events"), ("DELETE", $"api/ai/queue/{Guid.NewGuid()}"), ("GET", "api/ai/generations") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            if (method == "POST") request.Content = new StringContent("{" + Ok + "}", Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            AssertEnvelope((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()), 401, "unauthenticated", expectedDetail);
        }
    }

    [Fact]
    public async Task Another_namespace_cannot_see_read_cancel_or_list_a_generation()
    {
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a horse", resolution = "720P", duration = 3 }))[0];
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("other-team"));

        var get = await other.GetAsync($"api/ai/queue/{id}");
        AssertEnvelope((int)get.StatusCode, JsonNode.Parse(await get.Content.ReadAsStringAsync()), 404, "resource_not_found", "generation not found");
        var cancel = await other.DeleteAsync($"api/ai/queue/{id}");
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        var list = JsonNode.Parse(await other.GetStringAsync("api/ai/generations?page_size=1000"))!;
        Assert.DoesNotContain(list["generations"]!.AsArray(), g => g!["generation_id"]!.GetValue<string>() == id);
        var forbidden = await other.GetAsync("api/ai/queue?namespace=default");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        // The owner still sees it, and it was not cancelled by the stranger.
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_in_another_namespace_is_403()
    {
        var (status, error) = await PostAsync("api/ai/queue", "{" + Ok + ",\"target_namespace\":\"someone-else\"}");
        AssertEnvelope(status, error, 403, "forbidden", "target_namespace");
    }

    [Fact]
    public async Task Unknown_routes_and_ids_answer_with_the_envelope()
    {
        var missingRow = await fixture.Server.Client.GetAsync("api/ai/queue/not-a-uuid");
        AssertEnvelope((int)missingRow.StatusCode, JsonNode.Parse(await missingRow.Content.ReadAsStringAsync()), 404, "resource_not_found", "generation not found");
        var unknownRow = await fixture.Server.Client.DeleteAsync($"api/ai/queue/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknownRow.StatusCode);
        var route = await fixture.Server.Client.GetAsync("api/ai/nothing-here");
        AssertEnvelope((int)route.StatusCode, JsonNode.Parse(await route.Content.ReadAsStringAsync()), 404, "resource_not_found", "no route");
        var badPage = await fixture.Server.Client.GetAsync("api/ai/generations?page_size=1001");
        AssertEnvelope((int)badPage.StatusCode, JsonNode.Parse(await badPage.Content.ReadAsStringAsync()), 400, "invalid_params", "page_size: must be an integer between 1 and 1000");
    }

    [Fact]
    public async Task Output_urls_refuse_tampering_and_expire()
    {
        var (status, body) = await PostAsync("api/ai/videos/generate", "{" + Ok + ",\"resolution\":\"720P\",\"duration\":3}");
        Assert.Equal(200, status);
        var url = body!["videos"]![0]!["url"]!.GetValue<string>();
        using var plain = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(url)).StatusCode);
        var tampered = await plain.GetAsync(url.Replace("sig=", "sig=0"));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        var expired = await plain.GetAsync(System.Text.RegularExpressions.Regex.Replace(url, "exp=\\d+", "exp=1000"));
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);

        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(0, 99);
        var partial = await plain.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("nosniff", partial.Headers.GetValues("X-Content-Type-Options").Single());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, url);
        beyond.Headers.Range = new RangeHeaderValue(50_000_000, null);
        var outside = await plain.SendAsync(beyond);
        AssertEnvelope((int)outside.StatusCode, JsonNode.Parse(await outside.Content.ReadAsStringAsync()), 416, "range_not_satisfiable", "Range: 'bytes=50000000-' is outside the file's");
    }

    private async Task<(int Status, JsonNode? Body)> PostAsync(string path, string body)
    {
        using var response = await fixture.Server.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static void AssertEnvelope(int status, JsonNode? body, int expectedStatus, string type, string detailContains)
    {
        Assert.True(status == expectedStatus, $"expected {expectedStatus}, got {status}: {body}");
        Assert.NotNull(body);
        Assert.Equal(type, body["error"]!["type"]!.GetValue<string>());
        Assert.Equal("error", body["status"]!.GetValue<string>());
        Assert.Equal(type, body["status_message"]!.GetValue<string>());
        var detail = body["error"]!["detail"]!.GetValue<string>();
        Assert.True(detail.Contains(detailContains, StringComparison.Ordinal), $"detail was \"{detail}\"; expected it to contain \"{detailContains}\"");
        Assert.Equal(detail, body["error"]!["message"]!.GetValue<string>());
    }
}
