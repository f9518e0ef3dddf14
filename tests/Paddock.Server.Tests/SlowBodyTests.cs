using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// A body sent more slowly than the server accepts (below Kestrel's minimum data rate, 240 bytes/s after a 5 s grace)
/// is answered 408 with the envelope and the type <c>timeout</c>, JSON and multipart alike: the client learns the
/// server gave up waiting, not that its (unfinished) request was malformed.
/// </summary>
public sealed class SlowBodyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_json_body_trickled_too_slowly_is_a_408_timeout()
    {
        var body = """{"model":"happyhorse-1.0-r2v","prompt":"a fox in the snow","duration":5}""" + new string(' ', 2000);
        var (status, envelope) = await TrickleAsync("POST", "/api/ai/queue", "application/json", body);
        Assert.Equal(408, status);
        Assert.Equal("timeout", envelope!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("too slowly", envelope["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_upload_trickled_too_slowly_is_a_408_timeout()
    {
        var body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
            + new string('x', 2000) + "\r\n--b--\r\n";
        var (status, envelope) = await TrickleAsync("PUT", "/api/repos/default/slow/file/main/a.png", "multipart/form-data; boundary=b", body);
        Assert.Equal(408, status);
        Assert.Equal("timeout", envelope!["error"]!["type"]!.GetValue<string>());
    }

    /// <summary>Sends the head and the first bytes at once, then one byte a second until the server answers.</summary>
    private async Task<(int Status, JsonNode? Envelope)> TrickleAsync(string method, string path, string contentType, string body)
    {
        var uri = new Uri(fixture.Server.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"{method} {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {fixture.Server.ApiKey}\r\n"
            + $"Content-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes.AsMemory(0, 20));

        var answer = new MemoryStream();
        var reading = ReadAllAsync(stream, answer);
        for (var i = 20; i < bytes.Length && !reading.IsCompleted; i++)
        {
            try { await stream.WriteAsync(bytes.AsMemory(i, 1)); }
            catch (IOException) { break; } // the server closed the connection after answering
            await Task.WhenAny(reading, Task.Delay(1000));
        }
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        var text = Encoding.UTF8.GetString(answer.ToArray());
        Assert.True(text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"no HTTP answer: '{text}'");
        var status = int.Parse(text.AsSpan(9, 3));
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var content = split < 0 ? "" : text[(split + 4)..];
        if (text[..Math.Max(split, 0)].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)) content = Unchunk(content);
        return (status, content.Length > 0 ? JsonNode.Parse(content) : null);
    }

    private static string Unchunk(string chunked)
    {
        var plain = new StringBuilder();
        var at = 0;
        while (true)
        {
            var eol = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (eol < 0) break;
            var size = Convert.ToInt32(chunked[at..eol].Split(';')[0], 16);
            if (size == 0) break;
            plain.Append(chunked, eol + 2, size);
            at = eol + 2 + size + 2;
        }
        return plain.ToString();
    }

    /// <summary>Reads until the server closes the connection (it does after giving up on a slow body).</summary>
    private static async Task ReadAllAsync(NetworkStream stream, MemoryStream into)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0) into.Write(buffer, 0, read);
        }
        catch (IOException) { }
    }
}
