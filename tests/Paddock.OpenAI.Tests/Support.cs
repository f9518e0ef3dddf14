using System.ClientModel;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenAI.Videos;

namespace Paddock.OpenAI.Tests;

/// <summary>What the tests share: the official .NET client pointed at a Paddock, and raw reads of either face.</summary>
internal static class Faces
{
    public const string Model = "happyhorse-1.0-r2v";

    /// <summary>The SDK as a user configures it for another host: only the endpoint (…/v1) and the key differ.</summary>
    public static VideoClient VideoClient(PaddockHost host, string? key = null) =>
        new(new ApiKeyCredential(key ?? host.ApiKey), new VideoClientOptions { Endpoint = new Uri(host.BaseUrl + "/v1") });

    public static JsonElement Json(ClientResult result) => JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.Clone();

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static BinaryContent JsonBody(object body) => BinaryContent.Create(BinaryData.FromObjectAsJson(body));

    /// <summary>Polls GET /v1/videos/{id} until the video leaves queued and in_progress.</summary>
    public static async Task<JsonElement> WaitAsync(VideoClient client, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var video = Json(await client.GetVideoAsync(id));
            if (video.GetProperty("status").GetString() is not ("queued" or "in_progress")) return video;
            Assert.True(DateTime.UtcNow < deadline, $"video {id} still {video.GetProperty("status")} after 3 minutes");
            await Task.Delay(300);
        }
    }

    /// <summary>Asserts the other API's error body: exactly error.{message,type,param,code}, and nothing of Paddock's envelope.</summary>
    public static JsonElement AssertOpenAIError(JsonElement body, string? param, string? code)
    {
        Assert.Equal(["error"], body.EnumerateObject().Select(p => p.Name));
        var error = body.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }

    public static HttpClient Bearer(PaddockHost host, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(host.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
