// Fetch and check nine 1920 × 1080 PNG references from a local HTTP server (Kestrel on loopback)
// with ReferenceFetcher.FetchAllAsync: cold (a new fetcher, so an empty cache, every run) and
// warm (the same fetcher a second time). Warm is measured twice: images served with an ETag are
// revalidated (nine 304s, no body), images served without validators are reused for CacheTtl
// (no request at all). "check only" is the in-memory cost of checking the nine without any cache.
//
//   dotnet run -c Release --project bench/ReferenceBench -- --runs 9
//
// The images carry photographic noise, so they weigh what photos do as PNG (megabytes each),
// not the few kilobytes of a flat drawing.

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Core.References;
using SkiaSharp;

var runs = 7;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--runs" && i + 1 < args.Length) runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else throw new ArgumentException($"unknown argument {args[i]}; usage: [--runs N]");
}

Console.WriteLine("drawing nine 1920 × 1080 PNGs ...");
var images = Enumerable.Range(0, 9).Select(Draw).ToArray();
Console.WriteLine($"sizes: {string.Join(", ", images.Select(b => $"{b.Length / 1e6:0.00} MB"))} ({images.Sum(b => (long)b.Length) / 1e6:0.0} MB in all)");

var bodies = 0;
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
await using var app = builder.Build();
app.Run(async context =>
{
    // /etag/{i}.png carries an ETag and answers If-None-Match with 304; /plain/{i}.png has no validators.
    var parts = context.Request.Path.Value!.Trim('/').Split('/');
    if (parts.Length != 2 || !int.TryParse(Path.GetFileNameWithoutExtension(parts[1]), out var n) || n is < 0 or > 8)
    {
        context.Response.StatusCode = 404;
        return;
    }
    if (parts[0] == "etag")
    {
        var etag = $"\"img-{n}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = 304;
            return;
        }
    }
    Interlocked.Increment(ref bodies);
    context.Response.ContentType = "image/png";
    context.Response.ContentLength = images[n].Length;
    await context.Response.Body.WriteAsync(images[n]);
});
await app.StartAsync();
var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
string[] Urls(string kind) => Enumerable.Range(0, 9).Select(i => $"{baseUrl}/{kind}/{i}.png").ToArray();
var options = new ReferenceFetchOptions { AllowedHosts = ["127.0.0.1"] };

var checkOnly = new List<double>();
var cold = new List<double>();
var warmRevalidated = new List<double>();
var warmFresh = new List<double>();
var failures = new List<string>();

for (var run = -1; run < runs; run++) // run -1 warms up the JIT, the sockets and Skia; it is not counted
{
    checkOnly.Add(Time(() => Parallel.ForEach(images, CheckInMemory)));

    using (var fetcher = new ReferenceFetcher(options))
    {
        var before = bodies;
        cold.Add(await TimeAsync(() => fetcher.FetchAllAsync("bench", Urls("etag"), CancellationToken.None)));
        if (bodies - before != 9) failures.Add($"run {run}: cold fetch sent {bodies - before} bodies, not 9");
        before = bodies;
        warmRevalidated.Add(await TimeAsync(() => fetcher.FetchAllAsync("bench", Urls("etag"), CancellationToken.None)));
        if (bodies != before) failures.Add($"run {run}: warm fetch with ETags downloaded {bodies - before} bodies");
        if (fetcher.Statistics.Revalidated != 9) failures.Add($"run {run}: {fetcher.Statistics.Revalidated} revalidations, not 9");
    }

    using (var fetcher = new ReferenceFetcher(options))
    {
        await fetcher.FetchAllAsync("bench", Urls("plain"), CancellationToken.None);
        var before = bodies;
        warmFresh.Add(await TimeAsync(() => fetcher.FetchAllAsync("bench", Urls("plain"), CancellationToken.None)));
        if (bodies != before) failures.Add($"run {run}: warm fetch without validators downloaded {bodies - before} bodies");
    }

    if (run < 0)
    {
        checkOnly.Clear();
        cold.Clear();
        warmRevalidated.Clear();
        warmFresh.Clear();
    }
}
await app.StopAsync();

double coldMedian = Median(cold), revalidatedMedian = Median(warmRevalidated), freshMedian = Median(warmFresh);
Console.WriteLine();
Console.WriteLine($"## Reference fetch: nine 1920 × 1080 PNGs ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {runs} runs, medians)");
Console.WriteLine();
Console.WriteLine("| case | median | runs (ms) |");
Console.WriteLine("|---|---|---|");
Row("cold: new fetcher, 9 downloads + checks", cold);
Row("warm, ETag: 9 revalidations (304), no body", warmRevalidated);
Row("warm, no validators: within CacheTtl, no request", warmFresh);
Row("check only: hash + header + integrity of the 9 in memory, no cache", checkOnly);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ratio cold / warm (ETag, 304): {coldMedian / revalidatedMedian:0.0}×; cold / warm (no request): {coldMedian / freshMedian:0}×; payload {images.Sum(b => (long)b.Length) / 1e6:0.0} MB"));

foreach (var failure in failures) Console.Error.WriteLine("FAILED " + failure);
return failures.Count == 0 ? 0 : 1;

void Row(string name, List<double> samples) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {Median(samples):0.00} ms | {string.Join(" ", samples.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))} |"));

static double Median(List<double> samples)
{
    var sorted = samples.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalMilliseconds;
}

static async Task<double> TimeAsync(Func<Task> action)
{
    var clock = Stopwatch.StartNew();
    await action();
    return clock.Elapsed.TotalMilliseconds;
}

// What the fetcher does with bytes it has not seen: hash, header, rules, integrity (inflate every row).
static void CheckInMemory(byte[] bytes)
{
    SHA256.HashData(bytes);
    var header = ImageInspector.Inspect(bytes, out var problem) ?? throw new InvalidDataException(problem);
    if ((ReferenceRules.Check(header) ?? ImageIntegrity.Check(bytes, header)) is { } broken) throw new InvalidDataException(broken);
}

// A soft gradient with a figure and per-pixel noise, seeded per image: it compresses like a photo.
static byte[] Draw(int index)
{
    const int Width = 1920, Height = 1080;
    using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
    var random = new Random(index);
    var pixels = new byte[Width * Height * 4];
    for (var y = 0; y < Height; y++)
    {
        for (var x = 0; x < Width; x++)
        {
            var at = (y * Width + x) * 4;
            var noise = random.Next(-6, 7);
            pixels[at] = (byte)Math.Clamp(x * 255 / Width + noise + index * 20, 0, 255);
            pixels[at + 1] = (byte)Math.Clamp(y * 255 / Height + noise, 0, 255);
            pixels[at + 2] = (byte)Math.Clamp(128 + noise - index * 10, 0, 255);
            pixels[at + 3] = 255;
        }
    }
    System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
    using var canvas = new SKCanvas(bitmap);
    using var paint = new SKPaint { Color = SKColor.FromHsl(index * 40, 70, 50), IsAntialias = true };
    canvas.DrawCircle(Width / 2f, Height * 0.4f, 200, paint);
    using var image = SKImage.FromBitmap(bitmap);
    using var data = image.Encode(SKEncodedImageFormat.Png, 100);
    return data.ToArray();
}
