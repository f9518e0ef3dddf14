using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.References;
using Paddock.Core.Validation;
using Paddock.Engines.Builtin;
using SkiaSharp;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock render REQUEST.json -o OUT.mp4</c>: renders a generation request (the API's JSON body:
/// prompt, reference_images, aspect_ratio, resolution, duration, seed) with the built-in engine, in
/// this process, without a server. References may be local files (relative to the request's folder),
/// <c>http(s)</c> URLs or <c>data:</c> URLs, and are checked by the server's own rules.
/// <c>paddock render --sample-image FILE.png [--subject KIND]</c> draws a sample reference to try it with.
/// </summary>
internal static class RenderCommand
{
    private const string DefaultModel = "happyhorse-1.0-r2v";

    private static readonly string[] Subjects = ["fox", "robot", "owl", "cat", "astronaut", "landscape", "portrait"];

    public static async Task<int> RunAsync(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (FormatException e)
        {
            return Usage.Fail(e.Message);
        }

        if (options.SampleImage is { } samplePath)
        {
            if (!Subjects.Contains(options.Subject))
                return Usage.Fail($"--subject must be one of {string.Join(", ", Subjects)}, not '{options.Subject}'");
            File.WriteAllBytes(samplePath, SampleImages.Draw(options.Subject, options.Seed ?? 1));
            Console.Error.WriteLine($"wrote {samplePath} ({options.Subject})");
            return 0;
        }

        if (options.Request is null || options.Output is null)
            return Usage.Fail("render needs a request and an output: paddock render request.json -o out.mp4");

        RenderJob job;
        try
        {
            job = await ReadJobAsync(options.Request, options.Seed);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"paddock: {e.Message}");
            return 2;
        }

        var engineOptions = new BuiltinEngineOptions { Preset = options.Preset, Crf = options.Crf, FfmpegPath = options.Ffmpeg };
        BuiltinVideoEngine engine;
        try
        {
            engine = new BuiltinVideoEngine(engineOptions);
        }
        catch (ArgumentException e)
        {
            return Usage.Fail(e.Message);
        }

        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        try
        {
            if (!options.Quiet)
                Console.Error.WriteLine($"rendering {job.Width}x{job.Height}, {job.FrameCount} frames, seed {job.Seed}, {job.References.Count} reference(s)");
            var progress = new StderrProgress(options.Quiet);
            await engine.RenderAsync(job, options.Output, progress, interrupt.Token);
            progress.Done();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {options.Output} ({job.Width}x{job.Height}, {job.FrameCount} frames, seed {job.Seed}) in {clock.Elapsed.TotalSeconds:F1} s"));
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("paddock: interrupted; nothing was written");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"paddock: the render failed: {e.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Reads the request exactly as a server would accept it — the model's published schema and rules, then the same
    /// fetching and checking of its images — after turning local file paths into <c>data:</c> URLs.
    /// </summary>
    private static async Task<RenderJob> ReadJobAsync(string path, long? seedOverride)
    {
        var text = path == "-" ? await ReadStandardInputAsync() : await File.ReadAllBytesAsync(path);
        JsonObject request;
        try
        {
            // Read as strictly as a server reads a body: a field given twice, or a string that is not text, is refused.
            using var parsed = JsonDocument.Parse(text, RequestText.ParseOptions);
            if (RequestText.Problem(parsed.RootElement) is { } problem) throw new InvalidDataException(problem);
            request = JsonNode.Parse(parsed.RootElement.GetRawText()) as JsonObject
                ?? throw new InvalidDataException("the request must be a JSON object, e.g. {\"prompt\": \"...\"}");
        }
        catch (JsonException)
        {
            throw new InvalidDataException(RequestText.WhyNotJson(text, "the request"));
        }

        request["model"] ??= DefaultModel;
        var baseDirectory = path == "-" ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (request["reference_images"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++) list[i] = await InlineLocalFileAsync(list[i], baseDirectory, $"reference_images[{i}]");
        }
        if (request.ContainsKey("input_image")) request["input_image"] = await InlineLocalFileAsync(request["input_image"], baseDirectory, "input_image");

        using var body = JsonDocument.Parse(request.ToJsonString());
        if (RequestValidator.Validate(body.RootElement, ModelCatalog.LoadBuiltIn(), SubmissionKind.Sync, out var validated) is { } rejection)
            throw new InvalidDataException(rejection.Detail);
        var parameters = VideoParameters.From(validated!.Parameters);

        // A render on one's own machine may read images from one's own network; the server's address checks guard a
        // server from its callers, not a user from themselves.
        using var fetcher = new ReferenceFetcher(new ReferenceFetchOptions { AllowPrivateNetworks = true });
        IReadOnlyList<ReferenceImage> references;
        try
        {
            references = await fetcher.FetchImagesAsync("local", parameters, CancellationToken.None);
        }
        catch (ReferenceImageException e)
        {
            throw new InvalidDataException(e.Message);
        }
        var seed = seedOverride ?? parameters.Seed ?? Random.Shared.Next(0, int.MaxValue);
        return RenderJob.For(Guid.NewGuid(), validated.Model.Id, parameters, references, seed);
    }

    private static async Task<byte[]> ReadStandardInputAsync()
    {
        using var buffer = new MemoryStream();
        await Console.OpenStandardInput().CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>An image given as a local path (relative to the request's folder) becomes a <c>data:</c> URL; anything else is left for the validator.</summary>
    private static async Task<JsonNode?> InlineLocalFileAsync(JsonNode? value, string baseDirectory, string field)
    {
        if (value is not JsonValue v || !v.TryGetValue(out string? source) || source.Length == 0
            || source.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
            || (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            return value?.DeepClone();

        var file = Path.IsPathRooted(source) ? source : Path.Combine(baseDirectory, source);
        if (!File.Exists(file)) throw new InvalidDataException($"{field}: no such file {file}");
        if (ReferenceRules.CheckSize(new FileInfo(file).Length) is { } tooLarge)
            throw new InvalidDataException($"{field}: {source} {tooLarge}");
        // The media type is only a label here: the fetcher identifies images by their bytes.
        return "data:application/octet-stream;base64," + Convert.ToBase64String(await File.ReadAllBytesAsync(file));
    }

    private sealed record Options(string? Request, string? Output, string Preset, int Crf, string Ffmpeg, long? Seed, string? SampleImage, string Subject, bool Quiet)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(null, null, "veryfast", 23, "ffmpeg", null, null, "fox", false);
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
                options = args[i] switch
                {
                    "-o" or "--output" => options with { Output = Value() },
                    "--preset" => options with { Preset = Value() },
                    "--crf" => options with { Crf = int.TryParse(Value(), CultureInfo.InvariantCulture, out var crf) ? crf : throw new FormatException("--crf takes a number") },
                    "--ffmpeg" => options with { Ffmpeg = Value() },
                    "--seed" => options with { Seed = long.TryParse(Value(), CultureInfo.InvariantCulture, out var seed) ? seed : throw new FormatException("--seed takes a number") },
                    "--sample-image" => options with { SampleImage = Value() },
                    "--subject" => options with { Subject = Value() },
                    "-q" or "--quiet" => options with { Quiet = true },
                    var word when !word.StartsWith('-') || word == "-" => options.Request is null ? options with { Request = word } : throw new FormatException($"unexpected '{word}'"),
                    var other => throw new FormatException($"unknown render option {other}"),
                };
            }

            return options;
        }
    }

    /// <summary>Progress on one stderr line, rewritten in place on a terminal, every 10% otherwise.</summary>
    private sealed class StderrProgress(bool quiet) : IProgress<RenderProgress>
    {
        private int _shown = -1;

        public void Report(RenderProgress value)
        {
            var percent = (int)(value.Fraction * 100);
            if (quiet || percent == _shown || (Console.IsErrorRedirected && percent % 10 != 0)) return;
            _shown = percent;
            if (Console.IsErrorRedirected) Console.Error.WriteLine($"{value.Phase} {percent}%");
            else Console.Error.Write($"\r{value.Phase} {percent,3}%");
        }

        public void Done()
        {
            if (!quiet && !Console.IsErrorRedirected) Console.Error.WriteLine();
        }
    }
}

/// <summary>
/// Sample reference images to try the renderer with: characters on plain backgrounds (cut out as
/// actors), a landscape (used whole as the set) and a portrait on a busy background (framed as a print).
/// </summary>
internal static class SampleImages
{
    public static byte[] Draw(string subject, long seed)
    {
        var (width, height) = subject switch { "landscape" => (1600, 1000), "portrait" => (900, 1200), _ => (900, 1100) };
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        var random = new Random((int)(seed & 0x7FFFFFFF));
        using var p = new SKPaint { IsAntialias = true };
        switch (subject)
        {
            case "fox":
                c.Clear(new SKColor(248, 247, 244));
                p.Color = new SKColor(196, 88, 28);
                c.DrawOval(610, 830, 170, 62, p);
                p.Color = new SKColor(232, 118, 42);
                c.DrawOval(450, 690, 200, 260, p);
                c.DrawCircle(450, 360, 165, p);
                Triangle(c, p, (320, 290), (345, 110), (420, 240));
                Triangle(c, p, (580, 290), (555, 110), (480, 240));
                p.Color = new SKColor(250, 246, 240);
                c.DrawOval(450, 440, 92, 62, p);
                c.DrawOval(450, 760, 110, 150, p);
                c.DrawOval(680, 840, 40, 30, p);
                p.Color = new SKColor(40, 30, 28);
                c.DrawCircle(390, 335, 20, p);
                c.DrawCircle(510, 335, 20, p);
                c.DrawOval(450, 412, 22, 15, p);
                p.Color = new SKColor(70, 45, 32);
                c.DrawRoundRect(360, 900, 46, 110, 18, 18, p);
                c.DrawRoundRect(494, 900, 46, 110, 18, 18, p);
                break;
            case "robot":
                c.Clear(new SKColor(206, 224, 242));
                p.Color = new SKColor(130, 138, 160);
                c.DrawRoundRect(280, 430, 340, 380, 36, 36, p);
                c.DrawRoundRect(310, 170, 280, 220, 46, 46, p);
                c.DrawRect(440, 110, 20, 70, p);
                p.Color = new SKColor(240, 70, 60);
                c.DrawCircle(450, 100, 22, p);
                p.Color = new SKColor(40, 190, 250);
                c.DrawCircle(390, 275, 32, p);
                c.DrawCircle(510, 275, 32, p);
                p.Color = new SKColor(236, 70, 58);
                c.DrawRect(370, 520, 160, 56, p);
                p.Color = new SKColor(246, 196, 40);
                c.DrawRect(370, 610, 160, 34, p);
                p.Color = new SKColor(90, 96, 116);
                c.DrawRoundRect(330, 810, 70, 220, 20, 20, p);
                c.DrawRoundRect(500, 810, 70, 220, 20, 20, p);
                c.DrawRoundRect(200, 450, 70, 290, 30, 30, p);
                c.DrawRoundRect(630, 450, 70, 290, 30, 30, p);
                break;
            case "owl":
                c.Clear(new SKColor(238, 236, 226));
                p.Color = new SKColor(116, 84, 156);
                c.DrawOval(450, 620, 240, 360, p);
                Triangle(c, p, (270, 330), (300, 200), (370, 300));
                Triangle(c, p, (630, 330), (600, 200), (530, 300));
                p.Color = new SKColor(150, 120, 190);
                c.DrawOval(450, 720, 150, 210, p);
                p.Color = new SKColor(252, 232, 124);
                c.DrawCircle(365, 420, 85, p);
                c.DrawCircle(535, 420, 85, p);
                p.Color = new SKColor(24, 22, 34);
                c.DrawCircle(365, 420, 36, p);
                c.DrawCircle(535, 420, 36, p);
                p.Color = new SKColor(244, 146, 40);
                Triangle(c, p, (430, 480), (470, 480), (450, 545));
                c.DrawOval(390, 985, 40, 18, p);
                c.DrawOval(510, 985, 40, 18, p);
                break;
            case "cat":
                c.Clear(new SKColor(236, 242, 236));
                p.Color = new SKColor(70, 74, 84);
                c.DrawOval(450, 720, 190, 250, p);
                c.DrawCircle(450, 400, 160, p);
                Triangle(c, p, (315, 330), (320, 170), (405, 270));
                Triangle(c, p, (585, 330), (580, 170), (495, 270));
                using (var tail = new SKPaint { Color = new SKColor(70, 74, 84), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 44, StrokeCap = SKStrokeCap.Round })
                using (var builder = new SKPathBuilder())
                {
                    builder.MoveTo(600, 880);
                    builder.QuadTo(780, 860, 740, 650);
                    using var path = builder.Detach();
                    c.DrawPath(path, tail);
                }

                p.Color = new SKColor(160, 220, 110);
                c.DrawOval(390, 390, 30, 36, p);
                c.DrawOval(510, 390, 30, 36, p);
                p.Color = new SKColor(20, 20, 24);
                c.DrawOval(390, 390, 10, 30, p);
                c.DrawOval(510, 390, 10, 30, p);
                p.Color = new SKColor(240, 150, 170);
                Triangle(c, p, (435, 455), (465, 455), (450, 475));
                p.Color = new SKColor(236, 236, 240);
                c.DrawOval(450, 800, 90, 130, p);
                break;
            case "astronaut":
                c.Clear(new SKColor(22, 26, 44));
                p.Color = new SKColor(236, 238, 242);
                c.DrawRoundRect(280, 460, 340, 400, 80, 80, p);
                c.DrawCircle(450, 330, 175, p);
                c.DrawRoundRect(310, 820, 110, 220, 40, 40, p);
                c.DrawRoundRect(480, 820, 110, 220, 40, 40, p);
                c.DrawRoundRect(180, 480, 100, 300, 45, 45, p);
                c.DrawRoundRect(620, 480, 100, 300, 45, 45, p);
                using (var visor = SKShader.CreateLinearGradient(new SKPoint(330, 250), new SKPoint(570, 420), [new SKColor(250, 190, 70), new SKColor(120, 60, 150)], SKShaderTileMode.Clamp))
                {
                    p.Shader = visor;
                    c.DrawRoundRect(320, 250, 260, 170, 70, 70, p);
                    p.Shader = null;
                }

                p.Color = new SKColor(220, 60, 60);
                c.DrawRect(390, 540, 120, 70, p);
                p.Color = new SKColor(60, 120, 220);
                c.DrawRect(390, 630, 120, 30, p);
                break;
            case "portrait":
                // A figure in front of a busy scene: it cannot be cut out, so it is shown framed.
                using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [new SKColor(180, 90, 60), new SKColor(60, 110, 140)], SKShaderTileMode.Clamp))
                {
                    p.Shader = shader;
                    c.DrawRect(0, 0, width, height, p);
                    p.Shader = null;
                }

                for (var i = 0; i < 260; i++)
                {
                    p.Color = new SKColor((byte)random.Next(60, 250), (byte)random.Next(60, 220), (byte)random.Next(40, 200), 170);
                    c.DrawRect(random.Next(width), random.Next(height), random.Next(20, 120), random.Next(20, 120), p);
                }

                p.Color = new SKColor(36, 40, 60);
                c.DrawOval(450, 1050, 300, 260, p);
                p.Color = new SKColor(230, 190, 160);
                c.DrawOval(450, 560, 170, 210, p);
                p.Color = new SKColor(60, 40, 30);
                c.DrawOval(450, 420, 190, 120, p);
                p.Color = new SKColor(30, 30, 40);
                c.DrawCircle(395, 560, 14, p);
                c.DrawCircle(505, 560, 14, p);
                p.Color = new SKColor(190, 80, 80);
                c.DrawOval(450, 660, 46, 16, p);
                break;
            default:
                // A landscape photograph: a scene to be used whole as the set.
                using (var sky = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, height * 0.6f), [new SKColor(70, 120, 200), new SKColor(250, 200, 150)], SKShaderTileMode.Clamp))
                {
                    p.Shader = sky;
                    c.DrawRect(0, 0, width, height, p);
                    p.Shader = null;
                }

                p.Color = new SKColor(255, 236, 190);
                c.DrawCircle(width * 0.72f, height * 0.36f, 70, p);
                for (var layer = 0; layer < 4; layer++)
                {
                    using var builder = new SKPathBuilder();
                    var baseline = height * (0.55f + (layer * 0.1f));
                    builder.MoveTo(0, height);
                    for (var x = 0; x <= width; x += 20)
                    {
                        builder.LineTo(x, baseline - (float)(Math.Sin((x / (180.0 + (layer * 70))) + (layer * 1.7) + random.NextDouble() * 0.05) * (70 - (layer * 12))));
                    }

                    builder.LineTo(width, height);
                    builder.Close();
                    using var path = builder.Detach();
                    p.Color = new SKColor((byte)(60 + (layer * 10)), (byte)(120 - (layer * 18)), (byte)(110 - (layer * 25)));
                    c.DrawPath(path, p);
                }

                for (var i = 0; i < 120; i++)
                {
                    p.Color = new SKColor((byte)random.Next(20, 60), (byte)random.Next(70, 110), (byte)random.Next(30, 60));
                    var x = random.Next(width);
                    var y = (int)(height * 0.75) + random.Next((int)(height * 0.25));
                    c.DrawCircle(x, y, random.Next(10, 40), p);
                }

                break;
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(subject is "landscape" or "portrait" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }

    private static void Triangle(SKCanvas canvas, SKPaint paint, (float X, float Y) a, (float X, float Y) b, (float X, float Y) c)
    {
        using var builder = new SKPathBuilder();
        builder.MoveTo(a.X, a.Y);
        builder.LineTo(b.X, b.Y);
        builder.LineTo(c.X, c.Y);
        builder.Close();
        using var path = builder.Detach();
        canvas.DrawPath(path, paint);
    }
}
