using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock generate "PROMPT" -i IMAGE ... -o out.mp4</c>: uploads local images, enqueues, follows the generation
/// with a progress bar, and downloads the video. Ctrl-C while waiting asks whether to cancel it on the server.
/// </summary>
internal static class GenerateCommand
{
    private static readonly OptionSet Options = new(
        values: ["--image|-i", "--model|-m", "--aspect|--aspect-ratio", "--resolution|-r", "--duration|-d", "--seed", "--output|-o", "--namespace", "--set"],
        switches: ["--no-wait", "--sync"]);

    public static Task<int> RunAsync(string[] args) => Invocation.RunAsync("generate", args, Options, RunAsync);

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var args = invocation.Args;
        var output = invocation.Output;
        if (args.Positional.Count == 0) throw new UsageException("generate needs a PROMPT, e.g. paddock generate \"Image 1 walks through a garden\" -i cat.png");
        var prompt = args.Words(1, "one PROMPT (quote it)")[0];
        var model = args.Value("--model") ?? HappyHorseR2VRequest.ModelId;
        var images = args.Values("--image");
        var fields = ReadSetFields(args);
        var duration = args.Int("--duration", int.MinValue, int.MaxValue); // the range is the model's; the server says so by name
        var seed = args.Int("--seed", int.MinValue, int.MaxValue);
        if (args.Has("--no-wait") && args.Has("--sync")) throw new UsageException("--no-wait and --sync do not go together");
        ReferenceUploader.CheckLocalFiles(images);

        using var interrupts = new Interrupts();
        var token = interrupts.Token;
        try
        {
            var imageField = images.Count == 0 ? null : await ImageFieldAsync(invocation, model, images.Count, token);
            if (imageField is not null) await ReferenceUploader.CheckLocalImagesAsync(images, imageField, token);
            var urls = await ReferenceUploader.ResolveAsync(invocation, images, token);

            var request = new GenerationRequest(model);
            request["prompt"] = prompt;
            if (imageField == "reference_images") request["reference_images"] = new JsonArray(urls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray());
            else if (imageField is not null) request[imageField] = urls[0];
            if (args.Value("--aspect") is { } aspect) request["aspect_ratio"] = aspect;
            if (args.Value("--resolution") is { } resolution) request["resolution"] = resolution;
            if (duration is { } d) request["duration"] = d;
            if (seed is { } s) request["seed"] = s;
            foreach (var (name, value) in fields) request[name] = value;

            if (args.Has("--sync")) return await GenerateSyncAsync(invocation, request, token);

            GenerationOperation operation;
            try
            {
                operation = (await invocation.Client.EnqueueAsync(request, token))[0];
            }
            catch (PaddockException e) when (e.Status == 404)
            {
                throw new RequestRefusedException($"the server refused the request: {e.Detail ?? e.Message} (HTTP 404)");
            }
            output.Note($"Queued generation {operation.Id}.");

            if (args.Has("--no-wait"))
            {
                if (output.Json) output.Document(new JsonObject { ["generation_id"] = operation.Id, ["status"] = operation.Status.ToString() });
                output.Result(operation.Id);
                output.Note($"Follow it with 'paddock queue get {operation.Id}' or 'paddock events --generation {operation.Id}'; save it with 'paddock download {operation.Id} -o out.mp4'.");
                return ExitCodes.Ok;
            }
            return await WaitAndDownloadAsync(invocation, operation, interrupts);
        }
        catch (OperationCanceledException) when (interrupts.Requested)
        {
            Output.Problem("interrupted while submitting; if the server had already accepted the request, 'paddock queue list' shows it");
            return ExitCodes.Interrupted;
        }
    }

    private static async Task<int> WaitAndDownloadAsync(Invocation invocation, GenerationOperation operation, Interrupts interrupts)
    {
        var output = invocation.Output;
        var file = invocation.Args.Value("--output") ?? operation.Id + ".mp4";
        Generation row;
        var progress = new ProgressDisplay(operation.Id, live: ProgressDisplay.StderrIsTerminal, enabled: !output.Quiet);
        try
        {
            row = await operation.WaitForCompletionAsync(progress, interrupts.Token);
            progress.Stop();
        }
        catch (OperationCanceledException) when (interrupts.Requested)
        {
            progress.Stop();
            var (finished, exitCode) = await OnInterruptAsync(invocation, operation, file, interrupts);
            if (finished is null) return exitCode;
            row = finished;
        }
        catch (PaddockException e) when (e is { Status: 0, ErrorType: "generation_failed" or "cancelled" })
        {
            progress.Stop();
            return Ended(output, operation, operation.Value, e.ErrorType == "cancelled" ? null : e.Detail);
        }
        finally
        {
            progress.Dispose();
        }

        if (row.Status != GenerationStatus.Succeeded) return Ended(output, operation, row, row.ErrorMessage);

        output.Note($"Generation {operation.Id} succeeded; downloading {row.ResultUrl?.GetLeftPart(UriPartial.Path)} ...");
        long size;
        try
        {
            // Ctrl-C from here on ends the download; the partial file stays, and 'paddock download' resumes it. After a
            // Ctrl-C already answered (the generation had finished anyway), a second one ends the process instead.
            size = await operation.DownloadVideoAsync(file, interrupts.Requested ? CancellationToken.None : interrupts.Token);
        }
        catch (OperationCanceledException) when (interrupts.Requested)
        {
            Output.Problem($"download interrupted; resume it with 'paddock download {operation.Id} -o {file}'");
            return ExitCodes.Interrupted;
        }
        var full = Path.GetFullPath(file);
        output.Note($"Saved {file} ({Bytes(size)}; seed {row.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}).");
        if (output.Json)
        {
            var document = Output.ObjectOf((operation.Value ?? row).Json);
            document["output_file"] = full;
            document["bytes"] = size;
            output.Document(document);
        }
        output.Result(full);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The first Ctrl-C while waiting. With a terminal to ask on: cancel the generation on the server, or leave it
    /// running. Without one (a script, a pipe): leave it running. Returns the row to go on with when it finished after
    /// all, or the exit code to end with: <see cref="ExitCodes.Interrupted"/> when left running, 1 when cancelled.
    /// </summary>
    private static async Task<(Generation? Finished, int ExitCode)> OnInterruptAsync(Invocation invocation, GenerationOperation operation, string file, Interrupts interrupts)
    {
        var output = invocation.Output;
        void LeftRunning()
        {
            Output.Problem($"left generation {operation.Id} running on the server.");
            Console.Error.WriteLine($"  Follow it:   paddock queue get {operation.Id}   (or: paddock events --generation {operation.Id})");
            Console.Error.WriteLine($"  Save it:     paddock download {operation.Id} -o {file}");
            Console.Error.WriteLine($"  Cancel it:   paddock queue cancel {operation.Id}");
            if (output.Json) output.Document(new JsonObject { ["generation_id"] = operation.Id, ["status"] = operation.Status.ToString(), ["left_running"] = true });
            else Console.Out.WriteLine(operation.Id);
        }

        if (Console.IsInputRedirected)
        {
            LeftRunning();
            return (null, ExitCodes.Interrupted);
        }

        interrupts.OnSecondInterrupt = LeftRunning;
        Console.Error.Write("Cancel the generation? [y/N] ");
        var answer = await Task.Run(Console.ReadLine);
        interrupts.OnSecondInterrupt = null;
        if (answer?.Trim().ToLowerInvariant() is not ("y" or "yes"))
        {
            LeftRunning();
            return (null, ExitCodes.Interrupted);
        }

        var row = await operation.CancelAsync(CancellationToken.None);
        if (row.Status == GenerationStatus.Succeeded)
        {
            output.Note($"Generation {operation.Id} had already finished; keeping it.");
            return (row, ExitCodes.Ok);
        }
        return (null, Ended(output, operation, row, row.ErrorMessage));
    }

    /// <summary>Reports a generation that ended without a video: the server's message on stderr, the row with <c>--json</c>; exit 1.</summary>
    private static int Ended(Output output, GenerationOperation operation, Generation? row, string? why)
    {
        var status = row?.Status ?? operation.Status;
        Output.Problem(status == GenerationStatus.Cancelled ? $"generation {operation.Id} was cancelled"
            : status == GenerationStatus.Failed ? $"generation {operation.Id} failed: {why ?? row?.ErrorMessage ?? "the server gave no reason"}"
            : $"generation {operation.Id} is {status} and has no video yet");
        if (output.Json)
        {
            output.Document(row is not null
                ? Output.ObjectOf(row.Json)
                : new JsonObject { ["generation_id"] = operation.Id, ["status"] = status.ToString(), ["error_message"] = why });
        }
        return ExitCodes.GenerationFailed;
    }

    /// <summary>
    /// Which request field the images go in: <c>reference_images</c> for the r2v models, <c>input_image</c> for i2v.
    /// Read from the model's published schema, so the same flags work for any model of any server.
    /// </summary>
    private static async Task<string> ImageFieldAsync(Invocation invocation, string model, int count, CancellationToken cancellationToken)
    {
        if (model == HappyHorseR2VRequest.ModelId) return "reference_images";
        JsonObject? schema;
        try
        {
            schema = (await invocation.Client.GetModelAsync(model, cancellationToken)).GetRequestSchema();
        }
        catch (PaddockException e) when (e.Status == 404)
        {
            throw new RequestRefusedException($"the server has no model '{model}' (see 'paddock models')");
        }
        var properties = schema?["properties"] as JsonObject;
        if (properties?.ContainsKey("reference_images") ?? true) return "reference_images";
        if (properties.ContainsKey("input_image"))
        {
            if (count > 1) throw new UsageException($"{model} takes one input image (-i), not {count}");
            return "input_image";
        }
        throw new UsageException($"{model} takes no images; drop -i");
    }

    /// <summary><c>--set NAME=VALUE</c>: any other request field; the value is read as JSON when it parses (numbers, true, arrays), else as text.</summary>
    private static List<(string Name, JsonNode? Value)> ReadSetFields(Arguments args)
    {
        var fields = new List<(string, JsonNode?)>();
        foreach (var pair in args.Values("--set"))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new UsageException($"--set takes NAME=VALUE, not '{pair}'");
            var text = pair[(equals + 1)..];
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);
            }
            fields.Add((pair[..equals], value));
        }
        return fields;
    }

    private static async Task<int> GenerateSyncAsync(Invocation invocation, GenerationRequest request, CancellationToken cancellationToken)
    {
        var output = invocation.Output;
        output.Note("Generating (the server answers when the video exists) ...");
        VideoGenerationResult result;
        try
        {
            result = await invocation.Client.GenerateAsync(request, cancellationToken);
        }
        catch (PaddockException e) when (e.Status == 404)
        {
            throw new RequestRefusedException($"the server refused the request: {e.Detail ?? e.Message} (HTTP 404)");
        }
        catch (PaddockException e) when (e is { Status: 500, ErrorType: "generation_failed" } || IsRefusedReference(e))
        {
            // Through the queue the same failure is a failed generation (exit 1), so it is here too.
            throw new GenerationEndedException("", $"the generation failed: {e.Detail ?? e.Message}");
        }
        catch (PaddockException e) when (e is { Status: 409, ErrorType: "cancelled" })
        {
            throw new GenerationEndedException("", $"the generation was cancelled: {e.Detail ?? e.Message}");
        }
        var video = result.Videos.FirstOrDefault() ?? throw new PaddockException(0, "invalid_response", null, "the server answered without a video");
        var file = invocation.Args.Value("--output") ?? (result.GenerationId ?? "video") + ".mp4";
        var size = await invocation.Client.SaveVideoAsync(video, file, cancellationToken);
        var full = Path.GetFullPath(file);
        output.Note($"Saved {file} ({Bytes(size)}).");
        if (output.Json)
        {
            var document = Output.ObjectOf(result.Json);
            document["output_file"] = full;
            document["bytes"] = size;
            output.Document(document);
        }
        output.Result(full);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// A synchronous request whose generation failed on a reference image: the server answers 400 with the failure
    /// (a message about one image, <c>reference_images[N]: ...</c> or <c>input_image: ...</c>) rather than a failed row.
    /// </summary>
    private static bool IsRefusedReference(PaddockException e) =>
        e is { Status: 400, Detail: { } detail }
        && (detail.StartsWith("reference_images[", StringComparison.Ordinal) || detail.StartsWith("input_image:", StringComparison.Ordinal));

    internal static string Bytes(long size) => size switch
    {
        < 1024 => $"{size} B",
        < 1024 * 1024 => $"{size / 1024.0:0.#} KB",
        _ => $"{size / (1024.0 * 1024):0.#} MB",
    };
}
