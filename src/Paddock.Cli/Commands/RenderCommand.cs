using System.CommandLine;
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
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;

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

    private static readonly Argument<string?> Request = new("REQUEST")
    {
        Description = "The request: the API's JSON body (a file, or - for stdin); images may be local files, relative to it",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Option<string> OutputFile = CliOption.Text("--output", "OUT.mp4", "Where to write the video", "-o");
    private static readonly Option<string> Preset = CliOption.Text("--preset", "P", "x264 preset (Paddock:Engines:Builtin:Preset)")
        .Suggest("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow");
    private static readonly Option<int?> Crf = CliOption.Int("--crf", "N", "x264 quality, 0-51 (Paddock:Engines:Builtin:Crf)", _ => "--crf takes a number");
    private static readonly Option<string> Ffmpeg = CliOption.Text("--ffmpeg", "PATH", "The ffmpeg to encode with (Paddock:Engines:Builtin:FfmpegPath)");
    private static readonly Option<long?> Seed = CliOption.WholeNumber("--seed", "N", "The seed, instead of the request's (and of the sample image's drawing)", _ => "--seed takes a number");
    private static readonly Option<string> SampleImage = CliOption.Text("--sample-image", "FILE", "Instead of rendering: write a sample reference image to try it with");
    private static readonly Option<string> Subject = CliOption.Text("--subject", "KIND", $"The sample image's subject: {string.Join(", ", SampleReferences.Subjects)}")
        .Suggest([.. SampleReferences.Subjects]);

    public static PaddockCommand Create(ServerSettings settings)
    {
        var command = new PaddockCommand("render", "Render a request with the built-in engine in this process (no server)")
        {
            WordsExtra = "render takes one REQUEST ('{0}' is one too many)",
            TakesServerSettings = true,
            Notes = """
                The request is read as a server reads it: the model's schema and rules, then the same checks of its images.
                Settings are a server's (appsettings.json, PADDOCK__... variables, --Section:Key=value), so a catalog or a
                renderer setting applies here too. Exit codes: 0 written, 1 the render failed, 2 a request or option to fix.
                'paddock render --sample-image fox.png [--subject fox]' writes a sample reference image instead.
                """,
        };
        command.Add(Request);
        foreach (var option in new Option[] { OutputFile, Preset, Crf, Ffmpeg, Seed, SampleImage, Subject, RemoteOptions.Quiet, ServerOptions.DataDir })
            command.Add(option);
        command.SetAction((parse, _) => RunAsync(parse, settings));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, ServerSettings settings)
    {
        var quiet = parse.GetValue(RemoteOptions.Quiet);
        var seed = parse.GetValue(Seed);
        if (parse.GetValue(SampleImage) is { } samplePath)
        {
            var subject = parse.GetValue(Subject) ?? SampleReferences.Subjects[0];
            if (!SampleReferences.Subjects.Contains(subject))
                return Fail($"--subject must be one of {string.Join(", ", SampleReferences.Subjects)}, not '{subject}'");
            File.WriteAllBytes(samplePath, SampleReferences.Draw(subject, seed ?? 1));
            Console.Error.WriteLine($"wrote {samplePath} ({subject})");
            return 0;
        }

        if (parse.GetValue(Request) is not { } requestPath || parse.GetValue(OutputFile) is not { } outputPath)
            return Fail("render needs a request and an output: paddock render request.json -o out.mp4");

        // The same services and settings as a server's (the catalog, its backends, the renderer's settings), without
        // the server's database: a render in this process stores nothing.
        using var host = BuildHost(parse, settings);
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
            (job, engine) = await ReadJobAsync(host.Services, requestPath, seed);
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
            if (!quiet)
                Console.Error.WriteLine($"rendering {job.Width}x{job.Height}, {job.FrameCount} frames, seed {job.Seed}, {job.References.Count} reference(s) with {engine.Name}");
            Directory.CreateDirectory(work);
            await RenderProgressDisplay.ShowAsync(live: Consoles.StderrIsTerminal, enabled: !quiet, async progress =>
            {
                var context = new RenderContext(Path.GetFullPath(outputPath), work, progress, attempt: 1, resume: null, checkpoint: null, links: null);
                await engine.RenderAsync(job, context, interrupt.Token);
                if (!engine.WritesExactOutput)
                    await host.Services.GetRequiredService<IOutputConformer>().ConformAsync(context.OutputPath, job, work, interrupt.Token);
            });
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outputPath} ({job.Width}x{job.Height}, {job.FrameCount} frames, seed {job.Seed}) in {clock.Elapsed.TotalSeconds:F1} s"));
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
    private static IHost BuildHost(ParseResult parse, ServerSettings given)
    {
        var settings = new List<string> { "--Paddock:References:AllowPrivateNetworks=true" };
        if (parse.GetValue(Preset) is { } preset) settings.Add($"--Paddock:Engines:Builtin:Preset={preset}");
        if (parse.GetValue(Crf) is { } crf) settings.Add($"--Paddock:Engines:Builtin:Crf={crf.ToString(CultureInfo.InvariantCulture)}");
        if (parse.GetValue(Ffmpeg) is { } ffmpeg) settings.Add($"--Paddock:Engines:Builtin:FfmpegPath={ffmpeg}");
        if (parse.GetValue(ServerOptions.DataDir) is { } directory) settings.Add($"--Paddock:DataDirectory={directory}");
        settings.AddRange(given.Switches);
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

    private static int Fail(string message)
    {
        Output.Problem(message);
        Console.Error.WriteLine("Run 'paddock help' for usage.");
        return ExitCodes.Usage;
    }
}
