using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Paddock.Fakes.DashScope;

namespace Paddock.Fakes.Tests.Support;

/// <summary>An answer: its status and JSON body.</summary>
public sealed record Answer(HttpStatusCode Status, JsonElement Body)
{
    public string Code => Body.GetProperty("code").GetString()!;
    public string Message => Body.GetProperty("message").GetString()!;
    public JsonElement Output => Body.GetProperty("output");
    public string TaskId => Output.GetProperty("task_id").GetString()!;
    public string TaskStatus => Output.GetProperty("task_status").GetString()!;
}

/// <summary>The provider's calls made the way its documentation shows them (curl examples of [r2v], [tasks], [upload]), with a plain HttpClient.</summary>
public sealed class DashScopeCalls(FakeDashScope fake) : IDisposable
{
    public const string CreatePath = "/services/aigc/video-generation/video-synthesis";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public HttpClient Http => _http;

    public Task<Answer> CreateAsync(object body, bool async = true, bool resolveOss = false, string? key = null) =>
        CreateRawAsync(JsonSerializer.Serialize(body), async, resolveOss, key);

    public async Task<Answer> CreateRawAsync(string json, bool async = true, bool resolveOss = false, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fake.ApiBaseUrl + CreatePath)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? fake.ApiKey);
        if (async) request.Headers.Add("X-DashScope-Async", "enable");
        if (resolveOss) request.Headers.Add("X-DashScope-OssResourceResolve", "enable");
        return await SendAsync(request);
    }

    public Task<Answer> QueryAsync(string taskId, string? key = null) => SendAsync(HttpMethod.Get, $"/tasks/{taskId}", key);

    public Task<Answer> CancelAsync(string taskId, string? key = null) => SendAsync(HttpMethod.Post, $"/tasks/{taskId}/cancel", key);

    public Task<Answer> SendAsync(HttpMethod method, string apiPath, string? key = null)
    {
        var request = new HttpRequestMessage(method, fake.ApiBaseUrl + apiPath);
        if (key != "") request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? fake.ApiKey);
        return SendAsync(request);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _http.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} without JSON: {text}");
            return new Answer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>Polls like a client until a terminal status; returns every status seen, in order, and the last answer.</summary>
    public async Task<(IReadOnlyList<string> Seen, Answer Last)> WaitAsync(string taskId, TimeSpan? limit = null)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var answer = await QueryAsync(taskId);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            if (seen.Count == 0 || seen[^1] != answer.TaskStatus) seen.Add(answer.TaskStatus);
            if (answer.TaskStatus is "SUCCEEDED" or "FAILED" or "CANCELED" or "UNKNOWN") return (seen, answer);
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} still {answer.TaskStatus} after the limit; seen {string.Join(" → ", seen)}");
            await Task.Delay(50);
        }
    }

    public void Dispose() => _http.Dispose();
}
