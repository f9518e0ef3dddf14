using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Cluster.Tests;

/// <summary>
/// Clients that enqueue one-second clips in a loop, as fast as the APIs answer, each request with an Idempotency-Key of
/// its own, and read back each row they are given. What they were acknowledged (a 2xx), what was answered 503, and
/// anything else are kept for the test to judge.
/// </summary>
internal sealed class SubmissionLoad : IDisposable
{
    private readonly ConcurrentQueue<Acknowledged> _acknowledged = new();
    private readonly List<Task> _clients = [];
    private volatile bool _stopping;
    private int _unavailable;
    private int _unanswered;

    /// <summary>One acknowledged enqueue: its generation, and the API that answered it.</summary>
    public sealed record Acknowledged(string Id, HttpClient Api);

    private SubmissionLoad()
    {
    }

    /// <summary>Answers that were neither a 2xx nor (where allowed) a 503 with the error envelope.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public int AcknowledgedCount => _acknowledged.Count;

    /// <summary>The first acknowledged enqueue (after <see cref="WaitAcknowledgedAsync"/>).</summary>
    public Acknowledged First => _acknowledged.TryPeek(out var first) ? first : throw new InvalidOperationException("nothing acknowledged yet");

    /// <summary>503 service_unavailable answers (each sent again with the same Idempotency-Key).</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Requests that got no answer at all (the connection broke): the client stops there.</summary>
    public int Unanswered => Volatile.Read(ref _unanswered);

    /// <param name="apis">One client per loop, each loop on its API.</param>
    /// <param name="tag">Starts every prompt and Idempotency-Key, so the test can find all it made.</param>
    /// <param name="retryUnavailable">
    /// True: a 503 with Retry-After and the <c>service_unavailable</c> envelope is expected (the database is away) and
    /// sent again; a broken connection is a problem. False: any 503 is a problem, and a broken connection ends the loop
    /// (the API process was killed).
    /// </param>
    public static SubmissionLoad Start(IReadOnlyList<HttpClient> apis, string tag, bool retryUnavailable)
    {
        var load = new SubmissionLoad();
        for (var c = 0; c < apis.Count; c++)
        {
            var (client, loop) = (apis[c], c);
            load._clients.Add(Task.Run(() => load.RunAsync(client, $"{tag}-{loop}", retryUnavailable)));
        }
        return load;
    }

    /// <summary>Until at least <paramref name="count"/> enqueues are acknowledged (or every loop has ended).</summary>
    public async Task WaitAcknowledgedAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (AcknowledgedCount < count && !_clients.All(t => t.IsCompleted))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {AcknowledgedCount} of {count} enqueues acknowledged in a minute");
            await Task.Delay(10);
        }
    }

    /// <summary>Lets each request in flight finish (nothing is cancelled half way), then returns the acknowledged enqueues in order.</summary>
    public async Task<IReadOnlyList<Acknowledged>> StopAsync()
    {
        _stopping = true;
        await Task.WhenAll(_clients);
        return _acknowledged.ToList();
    }

    public void Dispose() => _stopping = true;

    private async Task RunAsync(HttpClient client, string prefix, bool retryUnavailable)
    {
        for (var i = 0; !_stopping; i++)
        {
            var key = $"{prefix}-{i}";
            var body = JsonSerializer.Serialize(new { model = "cluster-check-t2v", prompt = $"{key}: a red ball bounces across the floor", aspect_ratio = "1:1", resolution = "720P", duration = 1 });
            var answer = await SendAsync(client, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "api/ai/queue") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", key);
                return request;
            }, retryUnavailable);
            if (answer is null) return;
            var id = JsonNode.Parse(answer)!["generations"]![0]!["generation_id"]!.GetValue<string>();
            _acknowledged.Enqueue(new Acknowledged(id, client));
            var row = await SendAsync(client, () => new HttpRequestMessage(HttpMethod.Get, $"api/ai/queue/{id}"), retryUnavailable);
            if (row is null) return;
        }
    }

    /// <summary>The body of a 2xx answer, sending the request again after each allowed 503; null when the loop must end.</summary>
    private async Task<string?> SendAsync(HttpClient client, Func<HttpRequestMessage> make, bool retryUnavailable)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = make();
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                if (retryUnavailable) Problems.Enqueue($"{request.Method} {request.RequestUri}: no answer ({e.Message})");
                else Interlocked.Increment(ref _unanswered);
                return null;
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode) return text;
                if (retryUnavailable && attempt < 200 && IsUnavailableEnvelope(response, text))
                {
                    Interlocked.Increment(ref _unavailable);
                    await Task.Delay(200);
                    continue;
                }
                Problems.Enqueue($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
                return null;
            }
        }
    }

    /// <summary>API.md's 503 while the database is away: Retry-After, and the error envelope of type service_unavailable.</summary>
    private static bool IsUnavailableEnvelope(HttpResponseMessage response, string text)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter is null) return false;
        try
        {
            var body = JsonNode.Parse(text);
            return body?["status"]?.GetValue<string>() == "error" && body["error"]?["type"]?.GetValue<string>() == "service_unavailable"
                && body["error"]?["message"]?.GetValue<string>() is { Length: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
