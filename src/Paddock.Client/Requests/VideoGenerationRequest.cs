using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>How the synchronous generate answer carries each video.</summary>
public enum VideoResponseFormat
{
    /// <summary>A signed URL of the video (<c>url</c>, the default).</summary>
    Url,

    /// <summary>The video's bytes, base64-encoded in the answer (<c>b64_json</c>).</summary>
    Base64Json,
}

/// <summary>
/// A request to generate video: the model, its fields, and the envelope fields every model shares
/// (<c>num_generations</c>, <c>response_format</c>, <c>target_namespace</c>). Use <see cref="HappyHorseR2VRequest"/> for
/// <c>happyhorse-1.0-r2v</c>, or <see cref="GenerationRequest"/> for any model.
/// </summary>
public abstract class VideoGenerationRequest
{
    private protected VideoGenerationRequest() { }

    /// <summary>The model id, e.g. <c>happyhorse-1.0-r2v</c>.</summary>
    public abstract string Model { get; }

    /// <summary>How many videos to make, 1 to 4 (<c>num_generations</c>); queue only. With a seed, the i-th uses seed + i. Null leaves the server's default (1).</summary>
    public int? NumGenerations { get; set; }

    /// <summary>How a synchronous answer carries the video (<c>response_format</c>); null leaves the server's default (URL).</summary>
    public VideoResponseFormat? ResponseFormat { get; set; }

    /// <summary>The namespace to create the generation in (<c>target_namespace</c>); must be the key's own. Null for the key's namespace.</summary>
    public string? TargetNamespace { get; set; }

    /// <summary>The request body as sent: <c>model</c>, the model's fields, then the envelope fields that are set.</summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject ToJson()
    {
        var body = new JsonObject { ["model"] = Model };
        WriteFields(body);
        body["model"] = Model;
        if (NumGenerations is { } n) body["num_generations"] = n;
        if (ResponseFormat is { } format) body["response_format"] = format == VideoResponseFormat.Base64Json ? "b64_json" : "url";
        if (TargetNamespace is { } ns) body["target_namespace"] = ns;
        return body;
    }

    /// <summary>Adds the model's own fields to the body.</summary>
    private protected abstract void WriteFields(JsonObject body);

    /// <inheritdoc/>
    public override string ToString() => ToJson().ToJsonString();
}

/// <summary>
/// A free-form request for any model: the model id and its fields as JSON, checked by the server against the
/// model's published schema (<see cref="PaddockClient.GetModelSchemaAsync"/>).
/// </summary>
public sealed class GenerationRequest : VideoGenerationRequest
{
    /// <summary>Creates a request for a model, with fields to fill in through <see cref="Fields"/> or the indexer.</summary>
    /// <param name="model">The model id.</param>
    public GenerationRequest(string model) : this(model, new JsonObject()) { }

    /// <summary>Creates a request for a model with its fields.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="fields">The model's fields, e.g. <c>{"prompt": "...", "duration": 5}</c>; a <c>model</c> field in it is ignored.</param>
    public GenerationRequest(string model, JsonObject fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(fields);
        Model = model;
        Fields = fields;
    }

    /// <inheritdoc/>
    public override string Model { get; }

    /// <summary>The model's fields, sent at the top level of the body.</summary>
    public JsonObject Fields { get; }

    /// <summary>Gets or sets one field.</summary>
    /// <param name="name">The field's name, e.g. <c>prompt</c>.</param>
    public JsonNode? this[string name]
    {
        get => Fields[name];
        set => Fields[name] = value;
    }

    private protected override void WriteFields(JsonObject body)
    {
        foreach (var (name, value) in Fields) body[name] = value?.DeepClone();
    }
}

/// <summary>
/// A request for <c>happyhorse-1.0-r2v</c>: video from a prompt and up to 9 reference images, which the prompt names
/// as <c>Image 1</c>, <c>Image 2</c>, … in order.
/// </summary>
public sealed class HappyHorseR2VRequest : VideoGenerationRequest
{
    /// <summary>The model id, <c>happyhorse-1.0-r2v</c>.</summary>
    public const string ModelId = "happyhorse-1.0-r2v";

    /// <summary>Creates a request with its prompt.</summary>
    /// <param name="prompt">What happens in the video, naming references as <c>Image 1</c>, <c>Image 2</c>, … (at most 5000 characters).</param>
    public HappyHorseR2VRequest(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Prompt = prompt;
    }

    /// <inheritdoc/>
    public override string Model => ModelId;

    /// <summary>What happens in the video (<c>prompt</c>).</summary>
    public string Prompt { get; set; }

    /// <summary>
    /// Up to 9 reference image URLs (<c>reference_images</c>), Image 1 first: <c>http(s)</c> URLs (for example from
    /// <see cref="PaddockClient.UploadFileAsync(string, string, string, string, string, string?, CancellationToken)"/>), or
    /// <c>data:</c> URLs on Paddock. JPEG or PNG, at most 10 MB, shorter side over 400 pixels.
    /// </summary>
    public IList<string> ReferenceImages { get; } = new List<string>();

    /// <summary><c>aspect_ratio</c>: one of <c>16:9</c> (the server's default), <c>9:16</c>, <c>1:1</c>, <c>4:3</c>, <c>3:4</c>.</summary>
    public string? AspectRatio { get; set; }

    /// <summary><c>resolution</c>: <c>720P</c> or <c>1080P</c> (the server's default).</summary>
    public string? Resolution { get; set; }

    /// <summary><c>duration</c> in seconds, 3 to 15 (the server's default is 5).</summary>
    public int? Duration { get; set; }

    /// <summary><c>seed</c>, 0 to 2147483647, for reproducible output; null lets the server pick one (recorded in the row).</summary>
    public int? Seed { get; set; }

    private protected override void WriteFields(JsonObject body)
    {
        body["prompt"] = Prompt;
        if (ReferenceImages.Count > 0) body["reference_images"] = new JsonArray(ReferenceImages.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray());
        if (AspectRatio is not null) body["aspect_ratio"] = AspectRatio;
        if (Resolution is not null) body["resolution"] = Resolution;
        if (Duration is { } duration) body["duration"] = duration;
        if (Seed is { } seed) body["seed"] = seed;
    }
}
