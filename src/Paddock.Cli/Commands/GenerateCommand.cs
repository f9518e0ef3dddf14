using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
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
    private static readonly Argument<string> Prompt = new("PROMPT") { Description = "What happens; \"Image 1\", \"Image 2\", ... name the images in -i order" };
    private static readonly Option<string[]> Images = CliOption.Repeated("--image", "IMAGE",
        "A reference image: a local file (checked, then uploaded) or an http(s) URL; repeat for more", "-i");
    private static readonly Option<string> Model = CliOption.Text("--model", "MODEL", $"The model (default {HappyHorseR2VRequest.ModelId}; see 'paddock models')", "-m");
    private static readonly Option<string> Aspect = CliOption.Text("--aspect", "RATIO", "Aspect ratio, e.g. 16:9, 9:16, 1:1", "--aspect-ratio")
        .Suggest("16:9", "9:16", "1:1", "4:3", "3:4");
    private static readonly Option<string> Resolution = CliOption.Text("--resolution", "RES", "Resolution, e.g. 720P or 1080P", "-r").Suggest("720P", "1080P");
    private static readonly Option<int?> Duration = CliOption.Int("--duration", "SECONDS", "Length in seconds (the model says which)",
        text => $"--duration must be a whole number, not '{text}'", "-d");
    private static readonly Option<int?> Seed = CliOption.Int("--seed", "N", "The seed: the same request and seed give the same video",
        text => $"--seed must be a whole number, not '{text}'");
    private static readonly Option<string> OutputFile = CliOption.Text("--output", "FILE", "Where to save the video (default GENERATION_ID.mp4)", "-o");
    private static readonly Option<string> Namespace = CliOption.Text("--namespace", "NAME", "Where local images are uploaded (default: the key's namespace)");
    private static readonly Option<string[]> Fields = CliOption.Repeated("--set", "FIELD=VALUE",
        "Any other request field; VALUE is read as JSON when it parses (numbers, true, arrays), else as text");
    private static readonly Option<bool> NoWait = CliOption.Switch("--no-wait", "Print the generation id once queued and return");
    private static readonly Option<bool> Sync = CliOption.Switch("--sync", "Use the synchronous route: one request that answers with the video");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("generate", "Generate a video from a prompt and reference images, following it with a progress bar and saving it")
        {
            WordsMissing = "generate needs a PROMPT, e.g. paddock generate \"Image 1 walks through a garden\" -i cat.png",
            WordsExtra = "generate takes one PROMPT (quote it)",
            Notes = """
                Local images are checked with the server's own reference rules first (one it would refuse is not sent),
                then uploaded to the repository cli-uploads of the key's namespace, named by their content hash.
                Progress goes to stderr: a live bar on a terminal, plain lines otherwise.
                Ctrl-C while waiting asks "Cancel the generation? [y/N]": y cancels it on the server; n or Enter leaves
                it running and prints its id (exit 130), as Ctrl-C always does without a terminal to ask on.
                """,
        };
        command.Add(Prompt);
        foreach (var option in new Option[] { Images, Model, Aspect, Resolution, Duration, Seed, OutputFile, Namespace, Fields, NoWait, Sync }) command.Add(option);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var output = invocation.Output;
        var prompt = invocation.Parse.GetRequiredValue(Prompt);
        var model = invocation.Value(Model) ?? HappyHorseR2VRequest.ModelId;
        var images = invocation.Value(Images) ?? [];
        var fields = ReadSetFields(invocation.Value(Fields) ?? []);
        var duration = invocation.Value(Duration); // the range is the model's; the server says so by name
        var seed = invocation.Value(Seed);
        if (invocation.Value(NoWait) && invocation.Value(Sync)) throw new UsageException("--no-wait and --sync do not go together");
        ReferenceUploader.CheckLocalFiles(images);

        using var interrupts = new Interrupts();
        var token = interrupts.Token;
        try
        {
            var imageField = images.Length == 0 ? null : await ImageFieldAsync(invocation, model, images.Length, token);
            if (imageField is not null) await ReferenceUploader.CheckLocalImagesAsync(images, imageField, token);
            var urls = await ReferenceUploader.ResolveAsync(invocation, images, invocation.Value(Namespace), token);

            var request = new GenerationRequest(model);
            request["prompt"] = prompt;
            if (imageField == "reference_images") request["reference_images"] = new JsonArray(urls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray());
            else if (imageField is not null) request[imageField] = urls[0];
            if (invocation.Value(Aspect) is { } aspect) request["aspect_ratio"] = aspect;
            if (invocation.Value(Resolution) is { } resolution) request["resolution"] = resolution;
            if (duration is { } d) request["duration"] = d;
            if (seed is { } s) request["seed"] = s;
            foreach (var (name, value) in fields) request[name] = value;

            if (invocation.Value(Sync)) return await GenerateSyncAsync(invocation, request, token);

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

            if (invocation.Value(NoWait))
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
        var file = invocation.Value(OutputFile) ?? operation.Id + ".mp4";
        Generation row;
        try
        {
            // The progress display is gone by the time anything below runs: a question or a message has the line to itself.
            row = await ProgressDisplay.ShowAsync(operation.Id, live: Consoles.StderrIsTerminal, enabled: !output.Quiet,
                progress => operation.WaitForCompletionAsync(progress, interrupts.Token));
        }
        catch (OperationCanceledException) when (interrupts.Requested)
        {
            var (finished, exitCode) = await OnInterruptAsync(invocation, operation, file, interrupts);
            if (finished is null) return exitCode;
            row = finished;
        }
        catch (PaddockException e) when (e is { Status: 0, ErrorType: "generation_failed" or "cancelled" })
        {
            return Ended(output, operation, operation.Value, e.ErrorType == "cancelled" ? null : e.Detail);
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

        if (!Consoles.CanAsk)
        {
            LeftRunning();
            return (null, ExitCodes.Interrupted);
        }

        interrupts.OnSecondInterrupt = LeftRunning;
        var cancel = await Prompts.CancelGenerationAsync();
        interrupts.OnSecondInterrupt = null;
        if (!cancel)
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
    private static List<(string Name, JsonNode? Value)> ReadSetFields(IEnumerable<string> pairs)
    {
        var fields = new List<(string, JsonNode?)>();
        foreach (var pair in pairs)
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
        var file = invocation.Value(OutputFile) ?? (result.GenerationId ?? "video") + ".mp4";
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
