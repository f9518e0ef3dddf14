using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.References;
using Paddock.Core.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Core.Video;
using Paddock.Engines.Builtin;
using Paddock.Server.Hosting;

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
            if (!SampleReferences.Subjects.Contains(options.Subject))
                return Usage.Fail($"--subject must be one of {string.Join(", ", SampleReferences.Subjects)}, not '{options.Subject}'");
            File.WriteAllBytes(samplePath, SampleReferences.Draw(options.Subject, options.Seed ?? 1));
            Console.Error.WriteLine($"wrote {samplePath} ({options.Subject})");
            return 0;
        }

        if (options.Request is null || options.Output is null)
            return Usage.Fail("render needs a request and an output: paddock render request.json -o out.mp4");

        // The same services and settings as a server's (the catalog, its backends, the renderer's settings), without
        // the server's database: a render in this process stores nothing.
        using var host = BuildHost(options);
        try
        {
            host.Services.ValidateSettings();
        }
        catch (Exception e) when (PaddockProcess.Explain(e, urls: "") is { } failure)
        {
            foreach (var line in failure.Lines) Console.Error.WriteLine($"paddock: {line}");
            return 2;
        }

        RenderJob job;
        IVideoEngine engine;
        try
        {
            (job, engine) = await ReadJobAsync(host.Services, options.Request, options.Seed);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"paddock: {e.Message}");
            return 2;
        }

        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), "paddock-render-" + Guid.NewGuid().ToString("N"));
        try
        {
            if (!options.Quiet)
                Console.Error.WriteLine($"rendering {job.Width}x{job.Height}, {job.FrameCount} frames, seed {job.Seed}, {job.References.Count} reference(s) with {engine.Name}");
            var progress = new StderrProgress(options.Quiet);
            Directory.CreateDirectory(work);
            var context = new RenderContext(Path.GetFullPath(options.Output), work, progress, attempt: 1, resume: null, checkpoint: null, links: null);
            await engine.RenderAsync(job, context, interrupt.Token);
            if (!engine.WritesExactOutput)
                await host.Services.GetRequiredService<IOutputConformer>().ConformAsync(context.OutputPath, job, work, interrupt.Token);
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
        catch (EngineFailureException e)
        {
            Console.Error.WriteLine($"paddock: the render failed ({e.Kind.ToWire()}): {e.Message}");
            return e.Kind == FailureKind.InvalidInput ? 2 : 1;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"paddock: the render failed: {e.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// The server's composition, configured by the command's settings: its flags become the renderer's settings, and a
    /// render on one's own machine may read images from one's own network (the server's address checks guard a server
    /// from its callers, not a user from themselves) unless the settings say otherwise.
    /// </summary>
    private static IHost BuildHost(Options options)
    {
        var settings = new List<string> { "--Paddock:References:AllowPrivateNetworks=true" };
        if (options.Preset is { } preset) settings.Add($"--Paddock:Engines:Builtin:Preset={preset}");
        if (options.Crf is { } crf) settings.Add($"--Paddock:Engines:Builtin:Crf={crf.ToString(CultureInfo.InvariantCulture)}");
        if (options.Ffmpeg is { } ffmpeg) settings.Add($"--Paddock:Engines:Builtin:FfmpegPath={ffmpeg}");
        settings.AddRange(options.Configuration);
        var builder = Host.CreateApplicationBuilder(settings.ToArray());
        builder.Logging.ClearProviders();
        builder.Services.AddPaddockServices(PaddockRole.Api);
        return builder.Build();
    }

    /// <summary>
    /// Reads the request exactly as a server would accept it — the model's published schema and rules, then the same
    /// fetching and checking of its images (<see cref="RenderJobs"/>) — after turning local file paths into <c>data:</c> URLs.
    /// </summary>
    private static async Task<(RenderJob Job, IVideoEngine Engine)> ReadJobAsync(IServiceProvider services, string path, long? seedOverride)
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

        var catalog = services.GetRequiredService<ModelCatalog>();
        using var body = JsonDocument.Parse(request.ToJsonString());
        if (RequestValidator.Validate(body.RootElement, catalog, SubmissionKind.Sync, out var validated) is { } rejection)
            throw new InvalidDataException(rejection.Detail);
        var engine = services.GetRequiredService<EngineRegistry>().Find(validated!.Model.Engine)
            ?? throw new InvalidDataException($"model {validated.Model.Id} is served by backend '{validated.Model.Engine}', which is not configured here");

        // No file routes here (no server): the fetcher reads http(s) and data: images only.
        using var fetcher = new ReferenceFetcher(services.GetRequiredService<IOptions<ReferenceFetchOptions>>().Value);
        try
        {
            var job = await new RenderJobs(fetcher).PrepareAsync("local", Guid.NewGuid(), validated.Model.Id, VideoParameters.From(validated.Parameters),
                seedOverride ?? (validated.Parameters["seed"] is null ? Random.Shared.Next(0, int.MaxValue) : null), CancellationToken.None);
            return (job, engine);
        }
        catch (ReferenceImageException e)
        {
            throw new InvalidDataException(e.Message);
        }
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

    private sealed record Options(string? Request, string? Output, string? Preset, int? Crf, string? Ffmpeg, long? Seed, string? SampleImage, string Subject, bool Quiet,
        IReadOnlyList<string> Configuration)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(null, null, null, null, null, null, null, "fox", false, []);
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
                    "--data-dir" => options with { Configuration = [.. options.Configuration, $"--Paddock:DataDirectory={Value()}"] },
                    // Any server setting, as serve takes it (a catalog folder, a model's backend, the renderer's settings).
                    var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains(':', StringComparison.Ordinal) =>
                        options with { Configuration = [.. options.Configuration, setting.Contains('=', StringComparison.Ordinal) ? setting : $"{setting}={Value()}"] },
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
