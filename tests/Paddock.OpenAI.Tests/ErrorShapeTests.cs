using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Paddock.OpenAI.Tests;

/// <summary>Every error the other API documents for these routes, in its shape and with its status, whoever in Paddock made it.</summary>
public sealed class ErrorShapeTests : IAsyncLifetime
{
    private PaddockHost _host = null!;

    public async Task InitializeAsync() => _host = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = "0" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> PostAsync(object body, string? key = null)
    {
        using var client = Faces.Bearer(_host, key ?? _host.ApiKey);
        var response = await client.PostAsJsonAsync("v1/videos", body);
        return (response.StatusCode, await Faces.JsonAsync(response));
    }

    [Fact]
    public async Task A_size_a_model_cannot_make_is_a_400_naming_size_and_every_size_it_makes()
    {
        var (status, body) = await PostAsync(new { model = "happyhorse-1.0-t2v", prompt = "a fox", size = "1792x1024" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = Faces.AssertOpenAIError(body, "size", "invalid_size").GetProperty("message").GetString()!;
        Assert.Contains("'1792x1024'", message);
        foreach (var size in new[] { "1280x720", "720x1280", "720x720", "960x720", "720x960", "1920x1080", "1080x1920", "1080x1080", "1440x1080", "1080x1440" })
            Assert.Contains(size, message);
    }

    [Fact]
    public async Task A_length_a_model_cannot_make_is_a_400_naming_seconds_and_the_lengths_it_makes()
    {
        var (status, body) = await PostAsync(new { model = "happyhorse-1.0-r2v", prompt = "a fox", seconds = "20" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("3 to 15", Faces.AssertOpenAIError(body, "seconds", "invalid_seconds").GetProperty("message").GetString());
        (status, body) = await PostAsync(new { model = "happyhorse-1.0-r2v", prompt = "a fox", seconds = "four" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Faces.AssertOpenAIError(body, "seconds", "invalid_seconds");
    }

    [Fact]
    public async Task An_unknown_model_is_the_other_apis_not_found_error()
    {
        var (status, body) = await PostAsync(new { model = "sora-2", prompt = "a fox" });
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("happyhorse-1.0-r2v", Faces.AssertOpenAIError(body, "model", "model_not_found").GetProperty("message").GetString());
        using var client = Faces.Bearer(_host, _host.ApiKey);
        var model = await client.GetAsync("v1/models/sora-2");
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(model), "model", "model_not_found");
    }

    [Fact]
    public async Task An_unknown_id_is_a_404_on_every_route_that_takes_one()
    {
        using var client = Faces.Bearer(_host, _host.ApiKey);
        foreach (var id in new[] { "video_123", Guid.NewGuid().ToString() })
        {
            foreach (var request in new[]
            {
                new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{id}"),
                new HttpRequestMessage(HttpMethod.Delete, $"v1/videos/{id}"),
                new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{id}/content"),
                new HttpRequestMessage(HttpMethod.Post, $"v1/videos/{id}/remix") { Content = JsonContent.Create(new { prompt = "again" }) },
            })
            {
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{request.Method} {request.RequestUri}: {response.StatusCode}");
                Faces.AssertOpenAIError(await Faces.JsonAsync(response), "video_id", "not_found");
            }
        }
        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => Faces.VideoClient(_host).GetVideoAsync("video_123"));
        Assert.Equal(404, sdk.Status);
    }

    [Fact]
    public async Task A_wrong_or_missing_key_is_a_401_invalid_api_key()
    {
        var (status, body) = await PostAsync(new { prompt = "a fox" }, key: "pdk_not_a_key");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Faces.AssertOpenAIError(body, null, "invalid_api_key");

        using var anonymous = new HttpClient { BaseAddress = new Uri(_host.BaseUrl + "/") };
        var missing = await anonymous.GetAsync("v1/videos");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("Authorization", Faces.AssertOpenAIError(await Faces.JsonAsync(missing), null, "invalid_api_key").GetProperty("message").GetString());

        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => Faces.VideoClient(_host, "pdk_not_a_key").GetVideoAsync("x"));
        Assert.Equal(401, sdk.Status);
        // Paddock's own face keeps its own envelope for the same mistake.
        var own = await Faces.JsonAsync(await anonymous.GetAsync("api/ai/queue"));
        Assert.Equal("error", own.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Other_bad_requests_are_in_the_same_shape_and_name_what_to_fix()
    {
        var (status, body) = await PostAsync(new { model = "happyhorse-1.0-r2v" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Faces.AssertOpenAIError(body, "prompt", null);

        (status, body) = await PostAsync(new { model = "happyhorse-1.0-t2v", prompt = "a fox", input_reference = new { image_url = "https://example.com/a.png" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Faces.AssertOpenAIError(body, "input_reference", null);

        (status, body) = await PostAsync(new { model = "happyhorse-1.0-r2v", prompt = "a fox", input_reference = new { file_id = "file_1" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("multipart", Faces.AssertOpenAIError(body, "input_reference", null).GetProperty("message").GetString());

        // A body that is not JSON comes from the shared reader, in Paddock's words but this face's shape.
        using var client = Faces.Bearer(_host, _host.ApiKey);
        var broken = await client.PostAsync("v1/videos", new StringContent("{\"prompt\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(broken), null, "invalid_params");

        var list = await client.GetAsync("v1/videos?limit=500");
        Assert.Equal(HttpStatusCode.BadRequest, list.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(list), "limit", null);
        var order = await client.GetAsync("v1/videos?order=sideways");
        Faces.AssertOpenAIError(await Faces.JsonAsync(order), "order", null);

        var route = await client.GetAsync("v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(route), null, "resource_not_found");
    }
}
