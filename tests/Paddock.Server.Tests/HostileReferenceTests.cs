using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Paddock.Core.References;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// Hosts a corpus of hostile references: images that lie about what they are, bombs, internal
/// addresses, redirects, servers that stall. The Paddock server here may fetch only from
/// 127.0.0.2, where the corpus lives; a bait server on 127.0.0.1 must never see a request.
/// </summary>
public sealed class HostileFixture : IAsyncLifetime
{
    /// <summary>Short, so that stalling servers cost the tests seconds; the defaults are 5 s each.</summary>
    public const int IdleSeconds = 2;
    public const int ConnectSeconds = 2;

    public PaddockHost Server { get; private set; } = null!;
    public ScriptedHost Corpus { get; private set; } = null!;
    public ScriptedHost Bait { get; private set; } = null!;
    public string GoodUrl { get; private set; } = "";
    public Dictionary<string, HostileCase> Cases { get; } = [];

    public sealed record HostileCase(string[] References, string Expected, double MaxSeconds = 5);

    public async Task InitializeAsync()
    {
        Corpus = await ScriptedHost.StartAsync("127.0.0.2");
        Bait = await ScriptedHost.StartAsync("127.0.0.1");
        Server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:References:AllowedHosts:0"] = "127.0.0.2",
            ["Paddock:References:ReadIdleTimeout"] = $"00:00:0{IdleSeconds}",
            ["Paddock:References:ConnectTimeout"] = $"00:00:0{ConnectSeconds}",
        });

        var good = TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow);
        GoodUrl = Corpus.Serve("/good.png", good);
        var bait = Bait.Serve("/x.png", good);
        var baitPath = $":{Bait.Port}/x.png";

        void Add(string name, string url, string expected, double maxSeconds = 5) => Cases[name] = new([url], expected, maxSeconds);

        Add("truncated png", Corpus.Serve("/truncated.png", good[..(good.Length / 2)]), "reference_images[0]: is a truncated PNG");
        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x5A;
        Add("png with a damaged chunk", Corpus.Serve("/crc.png", flipped), "reference_images[0]: is a damaged PNG (its IDAT chunk fails its CRC check)");
        Add("bytes that are not an image", Corpus.Serve("/text.png", "this is not an image\n"u8.ToArray()), "reference_images[0]: is not a JPEG or PNG image (its first bytes match no supported format)");
        Add("an html page", Corpus.Serve("/page.png", "<!doctype html><title>login</title>"u8.ToArray(), "text/html"), "reference_images[0]: is not a JPEG or PNG image (it looks like HTML or XML)");
        Add("gif named png", Corpus.Serve("/anim.png", HandMadeImages.Gif(800, 600)), "reference_images[0]: is not a JPEG or PNG image (it is a GIF)");
        Add("webp named png", Corpus.Serve("/photo.png", HandMadeImages.WebP(800, 600)), "reference_images[0]: is not a JPEG or PNG image (it is a WebP)");
        Add("30000 x 30000 png bomb", Corpus.Serve("/bomb.png", Bomb.Value), "reference_images[0]: is 30000 × 30000 (900 megapixels); at most 40 megapixels are accepted");
        Add("png whose data inflates far past its rows", Corpus.Serve("/overfull.png", HandMadeImages.Png(800, 600, colorType: 0, bitDepth: 8, dataRows: 600 * 50)),
            "reference_images[0]: is a damaged PNG (its image data inflates past the 480600 bytes that 800 × 600 needs)");
        Add("401 x 300", Corpus.Serve("/small.png", TestImages.Png(401, 300, SKColors.Teal, SKColors.White)), "reference_images[0]: shorter side is 300 px; it must be more than 400 px");
        Add("aspect 3:1", Corpus.Serve("/wide.png", TestImages.Png(1500, 500, SKColors.Teal, SKColors.White)), "reference_images[0]: aspect ratio is 3:1 (1500 × 500); it must be at most 2.5:1");

        // A valid PNG header padded to 10 MB + 1 byte: the size is refused before the header is read.
        var oversized = new byte[10 * 1024 * 1024 + 1];
        good.AsSpan(0, 64).CopyTo(oversized);
        Random.Shared.NextBytes(oversized.AsSpan(64));
        Add("10 MB + 1 byte", Corpus.Serve("/big.png", oversized), "reference_images[0]: is 10485761 bytes; at most 10485760 bytes (10 MB) are accepted");
        Add("10 MB + 1 byte, no Content-Length", Corpus.Serve("/big-chunked.png", oversized, chunked: true), "reference_images[0]: is larger than 10485760 bytes (10 MB)");

        // Refused by the address policy, not unreachable: the message says so (and what to do instead).
        static string Refused(string address, string host) => $"reference_images[0]: is refused by policy: the address {address} of {host} is internal";
        Add("127.0.0.1", "http://127.0.0.1" + baitPath, Refused("127.0.0.1", "127.0.0.1"));
        Add("[::1]", "http://[::1]" + baitPath, "reference_images[0]: is refused by policy: the address ::1 of ");
        Add("169.254.169.254 (cloud metadata)", "http://169.254.169.254/latest/meta-data/x.png", Refused("169.254.169.254", "169.254.169.254"));
        Add("10.0.0.1", "http://10.0.0.1/x.png", Refused("10.0.0.1", "10.0.0.1"));
        Add("decimal-encoded ip", "http://2130706433" + baitPath, Refused("127.0.0.1", "127.0.0.1"));
        Add("hex-encoded ip", "http://0x7f000001" + baitPath, Refused("127.0.0.1", "127.0.0.1"));
        Add("octal-encoded ip", "http://0177.0.0.1" + baitPath, Refused("127.0.0.1", "127.0.0.1"));
        Add("ipv4-mapped ipv6", "http://[::ffff:127.0.0.1]" + baitPath, Refused("::ffff:127.0.0.1", "[::ffff:127.0.0.1]"));
        Add("hostname resolving to loopback", "http://localhost" + baitPath, " of localhost is internal");
        Add("allowed host redirecting to loopback", Corpus.Redirect("/to-loopback.png", bait), Refused("127.0.0.1", "127.0.0.1"));
        Add("redirect loop", Corpus.Redirect("/loop.png", "/loop.png"), "reference_images[0]: redirected more than 3 times");
        Add("http 404", Corpus.BaseUrl + "/missing.png", "reference_images[0]: could not be downloaded: 127.0.0.2 answered HTTP 404");

        Add("one byte per second", Corpus.Map("/trickle.png", context => Trickle(context, good)), "reference_images[0]: download is too slow", IdleSeconds + 5);
        Add("body that stalls", Corpus.Map("/stall.png", context => Stall(context, good, sendHeaders: true)), $"reference_images[0]: download stalled: nothing arrived for {IdleSeconds} seconds", IdleSeconds + 5);
        Add("headers that never come", Corpus.Map("/silent.png", context => Stall(context, good, sendHeaders: false)), $"reference_images[0]: could not be downloaded: 127.0.0.2 did not answer within {IdleSeconds + ConnectSeconds} seconds", IdleSeconds + ConnectSeconds + 5);

        Add("connection closed mid-body", Corpus.Map("/cut.png", async context =>
        {
            context.Response.ContentLength = good.Length;
            await context.Response.Body.WriteAsync(good.AsMemory(0, 1000));
            await context.Response.Body.FlushAsync();
            await Task.Delay(300); // the headers and the first bytes are read by now
            context.Abort();
        }), "reference_images[0]: could not be downloaded: the connection to 127.0.0.2 broke");

        Add("file:// url", "file:///etc/passwd", "reference_images[0]: must be an http(s) URL");
        Add("ftp:// url", "ftp://x/y.png", "reference_images[0]: must be an http(s) URL");
        Add("data: url that is not an image", "data:text/plain;base64," + Convert.ToBase64String("hello, world"u8), "reference_images[0]: is not a JPEG or PNG image");
        Cases["the second of two"] = new([GoodUrl, Corpus.Serve("/second.png", HandMadeImages.Gif(800, 600))], "reference_images[1]: is not a JPEG or PNG image (it is a GIF)");
    }

    /// <summary>Built once: 30000 × 30000 one-bit grey, 112 MB of zero rows, about a hundred kilobytes compressed.</summary>
    public static readonly Lazy<byte[]> Bomb = new(() => HandMadeImages.Png(30000, 30000, colorType: 0, bitDepth: 1));

    public static async Task Trickle(HttpContext context, byte[] image)
    {
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = image.Length;
        for (var i = 0; i < image.Length && !context.RequestAborted.IsCancellationRequested; i++)
        {
            await context.Response.Body.WriteAsync(image.AsMemory(i, 1));
            await context.Response.Body.FlushAsync();
            try { await Task.Delay(1000, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static async Task Stall(HttpContext context, byte[] image, bool sendHeaders)
    {
        if (sendHeaders)
        {
            context.Response.ContentType = "image/png";
            context.Response.ContentLength = image.Length;
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync(); // the headers go out now; the body never does
        }
        try { await Task.Delay(TimeSpan.FromMinutes(2), context.RequestAborted); }
        catch (OperationCanceledException) { }
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Corpus.DisposeAsync();
        await Bait.DisposeAsync();
    }
}

/// <summary>
/// Each hostile reference is refused with 400, the error envelope and a detail naming the image
/// and the reason, quickly; nothing internal is contacted; the server is healthy afterwards.
/// </summary>
public sealed class HostileReferenceTests(HostileFixture fixture) : IClassFixture<HostileFixture>
{
    public static TheoryData<string> CaseNames => new(
        "truncated png", "png with a damaged chunk", "bytes that are not an image", "an html page", "gif named png", "webp named png",
        "30000 x 30000 png bomb", "png whose data inflates far past its rows", "401 x 300", "aspect 3:1", "10 MB + 1 byte", "10 MB + 1 byte, no Content-Length",
        "127.0.0.1", "[::1]", "169.254.169.254 (cloud metadata)", "10.0.0.1", "decimal-encoded ip", "hex-encoded ip", "octal-encoded ip", "ipv4-mapped ipv6", "hostname resolving to loopback",
        "allowed host redirecting to loopback", "redirect loop", "http 404", "one byte per second", "body that stalls", "headers that never come", "connection closed mid-body",
        "file:// url", "ftp:// url", "data: url that is not an image", "the second of two");

    private static string Body(params string[] references) => JsonSerializer.Serialize(new
    {
        model = "happyhorse-1.0-r2v",
        prompt = "Image 1 turns slowly",
        reference_images = references,
        resolution = "720P",
        duration = 3,
    });

    private async Task<(int Status, JsonNode? Body, TimeSpan Elapsed)> GenerateAsync(string[] references)
    {
        var clock = Stopwatch.StartNew();
        var (status, body) = await Api.PostJsonAsync(fixture.Server.Client, "api/ai/videos/generate", Body(references));
        return (status, body, clock.Elapsed);
    }

    private static void AssertRefused(string name, HostileFixture.HostileCase hostile, int status, JsonNode? body)
    {
        Assert.True(status == 400, $"{name}: answered {status}: {body?.ToJsonString()}");
        var error = body!["error"]!;
        Assert.Equal("invalid_params", error["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["title"]?.GetValue<string>()));
        var detail = error["detail"]!.GetValue<string>();
        Assert.Equal(detail, error["message"]!.GetValue<string>());
        Assert.Equal("error", body["status"]!.GetValue<string>());
        Assert.Equal("invalid_params", body["status_message"]!.GetValue<string>());
        Assert.True(detail.Contains(hostile.Expected, StringComparison.Ordinal), $"{name}: detail was \"{detail}\", expected it to contain \"{hostile.Expected}\"");
        var index = hostile.Expected.StartsWith("reference_images[", StringComparison.Ordinal) ? hostile.Expected[..hostile.Expected.IndexOf(']')] : "reference_images[0";
        Assert.StartsWith(index + "]: ", detail);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_hostile_reference_is_refused_with_400_naming_the_image_and_the_reason(string name)
    {
        var hostile = fixture.Cases[name];
        var (status, body, elapsed) = await GenerateAsync(hostile.References);
        AssertRefused(name, hostile, status, body);
        Assert.True(elapsed.TotalSeconds < hostile.MaxSeconds, $"{name}: the answer took {elapsed.TotalSeconds:0.0} s; at most {hostile.MaxSeconds} s expected");
        Assert.Equal(0, fixture.Bait.TotalRequests); // nothing internal was ever contacted
    }

    [Fact]
    public async Task An_internal_reference_is_refused_by_policy_with_the_upload_route_of_the_key_namespace_and_the_setting_to_allow_it()
    {
        using var acme = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("acme"));
        var (status, body) = await Api.PostJsonAsync(acme, "api/ai/videos/generate", Body($"http://127.0.0.1:{fixture.Bait.Port}/photos/cat.png"));

        Assert.Equal(400, status);
        var detail = body!["error"]!["detail"]!.GetValue<string>();
        Assert.StartsWith("reference_images[0]: is refused by policy: the address 127.0.0.1 of 127.0.0.1 is internal", detail);
        Assert.DoesNotContain("not reachable", detail);
        Assert.Contains("PUT /api/repos/acme/assets/file/main/cat.png", detail);
        Assert.Contains("Paddock:References:AllowedHosts", detail);
        Assert.Contains("Paddock:References:AllowPrivateNetworks", detail);
        Assert.Equal(0, fixture.Bait.TotalRequests);
    }

    [Fact]
    public async Task Every_bad_reference_is_reported_at_once_in_request_order()
    {
        var truncated = fixture.Cases["truncated png"].References[0];
        var gif = fixture.Cases["gif named png"].References[0];
        var small = fixture.Cases["401 x 300"].References[0];

        var (status, body, _) = await GenerateAsync([gif, fixture.GoodUrl, truncated, small]);
        Assert.Equal(400, status);
        var problems = body!["error"]!["detail"]!.GetValue<string>().Split("; reference_images[");
        Assert.Equal(3, problems.Length);
        Assert.StartsWith("reference_images[0]: is not a JPEG or PNG image (it is a GIF)", problems[0]);
        Assert.StartsWith("2]: is a truncated PNG", problems[1]);
        Assert.Equal("3]: shorter side is 300 px; it must be more than 400 px", problems[2]);

        // Queued, the failed row says the same.
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-r2v", prompt = "Image 1 waves", reference_images = new[] { truncated, fixture.GoodUrl, gif }, resolution = "720P", duration = 3 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id, TimeSpan.FromSeconds(30));
        Assert.Equal("failed", row["status"]!.GetValue<string>());
        var message = row["error_message"]!.GetValue<string>();
        Assert.StartsWith("reference_images[0]: is a truncated PNG", message);
        Assert.Contains("; reference_images[2]: is not a JPEG or PNG image (it is a GIF)", message);
    }

    [Fact]
    public async Task The_total_timeout_still_bounds_a_download_that_keeps_moving()
    {
        using var fetcher = new ReferenceFetcher(new ReferenceFetchOptions
        {
            AllowedHosts = ["127.0.0.2"],
            TotalTimeout = TimeSpan.FromSeconds(1.5),
            MinBytesPerSecond = 0, // any progress at all keeps the idle guard quiet
        });
        var url = fixture.Corpus.Map("/endless.png", context => HostileFixture.Trickle(context, new byte[4096]));
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ReferenceImageException>(() => fetcher.FetchAsync("default", 3, url, CancellationToken.None));
        Assert.Equal("reference_images[3]: download did not finish within 1.5 seconds", error.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.4, 4);
    }

    [Fact]
    public async Task A_slow_but_steady_download_longer_than_the_idle_window_succeeds()
    {
        // 5 KB/s against a floor of 0.5 KB/s, over several 2 s windows: a read still pending when a window that already
        // had its minimum ends must not count as a stall (it did: any download longer than one window failed).
        using var fetcher = new ReferenceFetcher(new ReferenceFetchOptions
        {
            AllowedHosts = ["127.0.0.2"],
            ReadIdleTimeout = TimeSpan.FromSeconds(2),
            MinBytesPerSecond = 512,
        });
        var image = TestImages.Png(1600, 1200, SkiaSharp.SKColors.OrangeRed, SkiaSharp.SKColors.White);
        var url = fixture.Corpus.Map("/steady.png", async context =>
        {
            context.Response.ContentType = "image/png";
            context.Response.ContentLength = image.Length;
            for (var at = 0; at < image.Length; at += 500)
            {
                await context.Response.Body.WriteAsync(image.AsMemory(at, Math.Min(500, image.Length - at)));
                await context.Response.Body.FlushAsync();
                await Task.Delay(100);
            }
        });
        var clock = Stopwatch.StartNew();

        var fetched = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);

        Assert.Equal(image, fetched.Bytes);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2.5), $"the download took {clock.Elapsed.TotalSeconds:0.0} s, not several windows");
    }

    [Fact]
    public void Every_case_of_the_corpus_is_tested() =>
        Assert.Equal(fixture.Cases.Keys.Order(), ((IEnumerable<object[]>)CaseNames).Select(row => (string)row[0]).Order());

    [Fact]
    public async Task A_queued_generation_with_a_hostile_reference_ends_failed_naming_the_image()
    {
        var truncated = fixture.Cases["truncated png"].References[0];
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-r2v", prompt = "Image 2 waves", reference_images = new[] { fixture.GoodUrl, truncated }, resolution = "720P", duration = 3 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id, TimeSpan.FromSeconds(30));
        Assert.Equal("failed", row["status"]!.GetValue<string>());
        Assert.StartsWith("reference_images[1]: is a truncated PNG", row["error_message"]!.GetValue<string>());
    }

    [Fact]
    public async Task After_the_whole_corpus_at_once_the_server_is_healthy_and_generates()
    {
        // All of it at once, as a burst: every case still gets its own clear answer.
        var answers = await Task.WhenAll(fixture.Cases.Select(async c => (c.Key, c.Value, Answer: await GenerateAsync(c.Value.References))));
        foreach (var (name, hostile, answer) in answers) AssertRefused(name, hostile, answer.Status, answer.Body);
        Assert.Equal(0, fixture.Bait.TotalRequests);

        using var health = await fixture.Server.Client.GetAsync("api/health");
        Assert.Equal(200, (int)health.StatusCode);
        var (status, body, _) = await GenerateAsync([fixture.GoodUrl]);
        Assert.True(status == 200, $"a normal generation after the corpus answered {status}: {body?.ToJsonString()}");
        Assert.StartsWith("http", body!["videos"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unusual_but_valid_images_generate()
    {
        int Pattern(int x, int y, int c) => (x * (c + 1) + y * 3) / 3;
        var gray = HandMadeImages.Png(800, 600, colorType: 0, bitDepth: 8, Pattern);
        var sixteen = HandMadeImages.Png(800, 600, colorType: 2, bitDepth: 16, (x, y, c) => (x * 80 + y * 40 * c) & 0xFFFF);
        var alpha = HandMadeImages.Png(800, 600, colorType: 6, bitDepth: 8, (x, y, c) => c == 3 ? (Math.Abs(x - 400) + Math.Abs(y - 300) < 250 ? 255 : 40) : Pattern(x, y, c));
        var grayAlpha = HandMadeImages.Png(600, 600, colorType: 4, bitDepth: 16, (x, y, c) => c == 1 ? 0xFFFF - y * 100 : x * 100);
        var palette = HandMadeImages.Png(640, 480, colorType: 3, bitDepth: 4, (x, y, _) => (x / 40 + y / 40) % 16,
            palette: [.. Enumerable.Range(0, 16).SelectMany(i => new[] { (byte)(i * 16), (byte)(255 - i * 16), (byte)(i * 8) })]);
        var interlaced = HandMadeImages.Png(801, 603, colorType: 2, bitDepth: 8, Pattern, interlaced: true);
        var cmyk = HandMadeImages.CmykJpeg(640, 480);
        var turned = HandMadeImages.WithExifOrientation(TestImages.Jpeg(600, 900, SKColors.Navy, SKColors.Beige), 6);

        string[] references =
        [
            fixture.Corpus.Serve("/valid/gray.png", gray),
            fixture.Corpus.Serve("/valid/rgb16.png", sixteen),
            fixture.Corpus.Serve("/valid/alpha.png", alpha),
            fixture.Corpus.Serve("/valid/gray-alpha16.png", grayAlpha),
            fixture.Corpus.Serve("/valid/palette4.png", palette),
            fixture.Corpus.Serve("/valid/interlaced.png", interlaced),
            fixture.Corpus.Serve("/valid/cmyk.jpg", cmyk, "image/jpeg"),
            fixture.Corpus.Serve("/valid/exif-6.jpg", turned, "image/jpeg"),
        ];
        var (status, body, _) = await GenerateAsync(references);
        Assert.True(status == 200, $"answered {status}: {body?.ToJsonString()}");
    }
}
