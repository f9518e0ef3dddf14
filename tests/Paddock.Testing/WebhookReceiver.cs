using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Paddock.Testing;

/// <summary>
/// A webhook receiver on real Kestrel at 127.0.0.1: keeps every request it gets (headers and body, in order) and answers
/// with the status <see cref="Respond"/> picks for the n-th request (1-based).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Received(int Number, DateTime At, string Id, string Timestamp, string Signature, string ContentType, string Body, int AnsweredWith);

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The URL to register, e.g. http://127.0.0.1:41234/hooks.</summary>
    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The status for the n-th request (1-based); 204 unless changed.</summary>
    public Func<int, int> Respond { get; set; } = _ => 204;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        var count = 0;
        app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref count);
            var status = receiver!.Respond(n);
            receiver.Requests.Enqueue(new Received(n, DateTime.UtcNow, context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(), context.Request.ContentType ?? "", body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        receiver = new WebhookReceiver(app, address + "/hooks");
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds over the requests received so far.</summary>
    public async Task<List<Received>> WaitForAsync(Func<List<Received>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var seen = Requests.ToList();
            if (done(seen)) return seen;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the receiver got {seen.Count} requests: {string.Join(", ", seen.Select(r => r.AnsweredWith))}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The Standard Webhooks check, written here from the specification (not Paddock's code): HMAC-SHA256 keyed by the
    /// base64 after <c>whsec_</c>, over <c>id.timestamp.body</c>, compared with each space-separated <c>v1,</c> signature.
    /// </summary>
    public static bool Verifies(Received request, string secret)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}")));
        return request.Signature.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
