using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Paddock.Fakes.DashScope.Recording;

/// <summary>
/// One request as the fake received it: headers as sent except the <c>Authorization</c> value (a key must never be
/// kept), the body as text (a multipart upload is summarized, its file left out), and the status it answered
/// (0 when the connection was dropped).
/// </summary>
public sealed class RecordedRequest
{
    public required long Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required string Query { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required string Body { get; init; }
    public int Status { get; internal set; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"#{Sequence} {Method} {Path}{Query} -> {Status}";
}

/// <summary>Every request in arrival order, for tests to assert on ("exactly one task created", "the body the docs ask for").</summary>
public sealed class RequestLog
{
    public const string RedactedAuthorization = "Bearer ***";

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private long _sequence;

    public IReadOnlyList<RecordedRequest> All => _requests.OrderBy(r => r.Sequence).ToList();

    public IReadOnlyList<RecordedRequest> Where(string method, string pathPrefix) =>
        All.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    internal async Task<RecordedRequest> RecordAsync(HttpRequest request, TimeProvider time)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers)
            headers[name] = name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? Redact(value.ToString()) : value.ToString();

        var body = "";
        if (request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
        {
            body = $"[{request.ContentType.Split(';')[0]}, {request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes]";
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
            request.Body.Position = 0;
        }

        var recorded = new RecordedRequest
        {
            Sequence = Interlocked.Increment(ref _sequence),
            At = time.GetUtcNow(),
            Method = request.Method,
            Path = request.Path.Value ?? "",
            Query = request.QueryString.Value ?? "",
            Headers = headers,
            Body = body,
        };
        _requests.Enqueue(recorded);
        return recorded;
    }

    private static string Redact(string value) => value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? RedactedAuthorization : "***";
}
