using System.Globalization;
using System.Text.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Json.Schema;
using Paddock.Core.Memory;
using Paddock.Core.Models;
using Paddock.Core.Prompts;

namespace Paddock.Core.Validation;

/// <summary>Why a request was refused: which error type and every problem found, each naming its field.</summary>
public sealed record RequestRejection(RequestRejectionKind Kind, IReadOnlyList<string> Problems)
{
    public string Detail => string.Join("; ", Problems);
}

public enum RequestRejectionKind
{
    InvalidParams,
    ModelNotFound,
}

/// <summary>Which endpoint the body came to; the queue takes <c>num_generations</c>, sync does not.</summary>
public enum SubmissionKind
{
    Sync,
    Queue,
}

/// <summary>A request that passed validation.</summary>
/// <param name="Parameters">
/// The model's fields with the schema's defaults filled in (the seed is added per generation). They refer to the body's
/// document rather than copy it (an image sent as a data: URL is megabytes): use them while that document lives.
/// </param>
/// <param name="WebhookUrl">Where this request's generations' terminal events are also sent (checked against the network policy by the caller).</param>
public sealed record ValidatedRequest(
    ModelDefinition Model,
    JsonObject Parameters,
    string ResponseFormat,
    int NumGenerations,
    string? TargetNamespace,
    string? WebhookUrl = null);

/// <summary>
/// Validates a generation body: the envelope fields here, the model's fields against the model's
/// published JSON Schema (the document served to clients), then the rules a schema cannot say.
/// </summary>
public static class RequestValidator
{
    /// <summary>Body fields that belong to the endpoint, not to the model.</summary>
    private static readonly HashSet<string> EnvelopeFields = ["model", "response_format", "num_generations", "target_namespace", "webhook_url"];

    /// <summary><see cref="EnvelopeFields"/> in UTF-8, to compare with a body's names where they are (no string made per name).</summary>
    private static readonly byte[][] EnvelopeFieldsUtf8 = EnvelopeFields.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    public static RequestRejection? Validate(JsonElement body, ModelCatalog catalog, SubmissionKind kind, out ValidatedRequest? request)
    {
        request = null;
        if (body.ValueKind != JsonValueKind.Object)
            return Invalid("body: must be a JSON object with at least \"model\" and \"prompt\"");

        // Every problem is reported at once, so a user fixes a request in one round; without a model the fields
        // cannot be checked against its schema, but the endpoint's own fields still can.
        var problems = new List<string>();
        ModelDefinition? model = null;
        // Nothing longer than any field takes is copied, or echoed back: each is named, worded for its field.
        var oversized = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (RequestText.Oversized(property.Value, property.Name) is not { } found) continue;
            oversized.Add(property.Name);
            problems.Add(TooLong(catalog, body, property.Name, found.Field, found.Bytes));
        }

        if (oversized.Contains("model"))
        {
            // Already named above; no model can be looked up from it.
        }
        else if (!body.TryGetProperty("model", out var modelElement))
            problems.Add("model: is required (for example \"happyhorse-1.0-r2v\")");
        else if (modelElement.ValueKind != JsonValueKind.String || modelElement.GetString() is not { } modelName || string.IsNullOrWhiteSpace(modelName))
            problems.Add("model: must be a non-empty string naming a model (GET /api/ai/models lists them)");
        else if ((model = catalog.Find(modelName)) is null)
            return new RequestRejection(RequestRejectionKind.ModelNotFound, [$"Model not found: {modelName}"]);

        var responseFormat = oversized.Contains("response_format") ? "url" : ReadResponseFormat(body, problems);
        var numGenerations = ReadNumGenerations(body, kind, problems);
        var targetNamespace = oversized.Contains("target_namespace") ? null : ReadTargetNamespace(body, problems);
        var webhookUrl = oversized.Contains("webhook_url") ? null : ReadWebhookUrl(body, problems);
        if (model is null)
            return new RequestRejection(RequestRejectionKind.InvalidParams, problems);

        // null means "not given" (what a client that serialises every optional field sends, e.g. Python's None).
        // A field named above for its length is left out (never copied, nor echoed back).
        var given = new List<JsonProperty>(body.GetPropertyCount());
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null || IsEnvelopeField(property) || (oversized.Count > 0 && oversized.Contains(property.Name)))
                continue;
            given.Add(property);
        }
        // The nodes wrap the body's own elements: a field megabytes long (an image as a data: URL) is not copied. The
        // parameters are valid as long as the body's document is.
        var parameters = WithDefaults(model, given);

        // Most requests are valid, and the compiled checks show it without the full evaluation. A field left out for its
        // length must not also be reported as missing.
        if (model.CompiledSchema?.Accepts(given) != true)
            problems.AddRange(SchemaProblems(model, given).Where(p => !oversized.Any(o => p.StartsWith(o + ": is required", StringComparison.Ordinal))));
        if (RuleBeyondSchemaProblem(parameters) is { } ruleProblem) problems.Add(ruleProblem);
        if (problems.Count > 0)
            return new RequestRejection(RequestRejectionKind.InvalidParams, problems);

        request = new ValidatedRequest(model, parameters, responseFormat, numGenerations, targetNamespace, webhookUrl);
        return null;
    }

    private static RequestRejection Invalid(string problem) => new(RequestRejectionKind.InvalidParams, [problem]);

    private static bool IsEnvelopeField(JsonProperty property)
    {
        foreach (var name in EnvelopeFieldsUtf8)
        {
            if (property.NameEquals(name)) return true;
        }
        return false;
    }

    private static string ReadResponseFormat(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("response_format", out var value) || value.ValueKind == JsonValueKind.Null) return "url";
        if (value.ValueKind == JsonValueKind.String && value.GetString() is "url" or "b64_json") return value.GetString()!;
        problems.Add("response_format: must be \"url\" or \"b64_json\"");
        return "url";
    }

    private static int ReadNumGenerations(JsonElement body, SubmissionKind kind, List<string> problems)
    {
        if (!body.TryGetProperty("num_generations", out var value) || value.ValueKind == JsonValueKind.Null) return 1;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d) && d is >= 1 and <= 4)
        {
            var n = (int)d;
            if (kind == SubmissionKind.Sync && n != 1)
                problems.Add("num_generations: a synchronous request makes one video; use POST /api/ai/queue for up to 4");
            return n;
        }
        // The seed API's wording is kept whole after the field, so clients matching on it still find it.
        problems.Add($"num_generations: is {Shown(value)}, but {NumGenerationsRule}");
        return 1;
    }

    /// <summary>The seed API's own words for a bad <c>num_generations</c> (docs/API.md).</summary>
    public const string NumGenerationsRule = "num_generations must be an integer between 1 and 4";

    /// <summary>A value as a message shows it: a short number as written, anything else by its kind.</summary>
    private static string Shown(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.GetRawText() is { Length: <= 24 } text => text,
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>
    /// A string longer than any field takes, worded for the field that holds it: a prompt is told its limit in characters,
    /// an image field the 10 MB limit of an image (which is what a data: URL that long must be).
    /// </summary>
    private static string TooLong(ModelCatalog catalog, JsonElement body, string name, string field, int bytes)
    {
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String && RequestText.Oversized(m, "model") is null
            ? catalog.Find(m.GetString()!)
            : null;
        var schema = model?.RequestSchema["properties"]?[name] as JsonObject;
        var isImage = schema?["renderType"]?.GetValue<string>() == "image-url" || schema?["items"]?["renderType"]?.GetValue<string>() == "image-url";
        if (isImage)
            return $"{field}: is {bytes} bytes long; an image is at most 10 MB ({RequestText.MaxStringBytes} bytes as a base64 data: URL)";
        if (schema?["maxLength"] is { } maxLength && field == name)
            return $"{field}: must be at most {maxLength} characters (it is {bytes} bytes long)";
        if (name == "model")
            return $"model: is {bytes} bytes long; it must name a model (GET /api/ai/models lists them)";
        return model is not null && schema is null && !EnvelopeFields.Contains(name)
            ? $"{name}: is not a parameter of {model.Id} (its parameters: {string.Join(", ", PropertyNames(model))})"
            : $"{field}: is {bytes} bytes long, far longer than this field takes";
    }

    private static string? ReadWebhookUrl(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("webhook_url", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return value.GetString();
        problems.Add("webhook_url: must be an absolute http(s) URL that receives this request's completion (POST, Standard Webhooks)");
        return null;
    }

    private static string? ReadTargetNamespace(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("target_namespace", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())) return value.GetString();
        problems.Add("target_namespace: must be a non-empty string");
        return null;
    }

    private static JsonNode? NodeOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        _ => JsonValue.Create(element),
    };

    /// <summary>
    /// Evaluates the given fields against the served schema and turns each failure into a message naming its field.
    /// The fields are written once, byte for byte, into native memory that is freed when the evaluation ends.
    /// </summary>
    private static List<string> SchemaProblems(ModelDefinition model, List<JsonProperty> given)
    {
        using var copy = new NativeBuffer(Math.Max(2 + given.Sum(p => JsonMarshal.GetRawUtf8PropertyName(p).Length + JsonMarshal.GetRawUtf8Value(p.Value).Length + 4), 16));
        using (var writer = new Utf8JsonWriter(copy, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            foreach (var property in given)
            {
                writer.WritePropertyName(property.Name);
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
            }
            writer.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(copy.Written);
        return SchemaProblems(model, doc.RootElement).ToList();
    }

    private static IEnumerable<string> SchemaProblems(ModelDefinition model, JsonElement root)
    {
        // Most requests are valid: a pass/fail evaluation stops at the first failure and builds no tree of results. Only
        // an invalid request is evaluated again for the list of what failed where.
        if (model.Validator.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid) yield break;
        var results = model.Validator.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) yield break;

        var seen = new HashSet<string>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is not { Count: > 0 }) continue;
            foreach (var keyword in detail.Errors.Keys)
            {
                var message = Describe(model, detail.InstanceLocation.ToString(), detail.EvaluationPath.ToString(), keyword, root);
                if (message is not null && seen.Add(message)) yield return message;
            }
        }
    }

    private static string? Describe(ModelDefinition model, string instanceLocation, string evaluationPath, string keyword, JsonElement root)
    {
        // "/reference_images/2" → field "reference_images[2]"; "/duration" → "duration".
        var segments = instanceLocation.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape).ToArray();
        var field = segments.Length == 0 ? "body" : segments[0] + string.Concat(segments.Skip(1).Select(s => $"[{s}]"));
        var property = segments.Length == 0 ? null : model.RequestSchema["properties"]?[segments[0]] as JsonObject;
        var schema = segments.Length > 1 ? property?["items"] as JsonObject : property;

        if (evaluationPath.EndsWith("/additionalProperties", StringComparison.Ordinal) || (property is null && segments.Length > 0))
            return $"{field}: is not a parameter of {model.Id} (its parameters: {string.Join(", ", PropertyNames(model))})";

        switch (keyword)
        {
            case "required":
                var required = model.RequestSchema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [];
                var missing = required.Where(r => !root.TryGetProperty(r, out _)).ToList();
                return missing.Count == 0 ? null : string.Join("; ", missing.Select(m => $"{m}: is required"));
            case "type":
                return $"{field}: must be {Article(schema?["type"]?.GetValue<string>() ?? "valid")}";
            case "enum":
                return $"{field}: must be one of {string.Join(", ", schema?["enum"]?.AsArray().Select(v => v!.ToString()) ?? [])}";
            case "minimum" or "maximum":
                return $"{field}: must be between {schema?["minimum"]} and {schema?["maximum"]}";
            case "minLength" or "pattern" when segments.Length == 1 && (schema?["type"]?.GetValue<string>() == "string"):
                return $"{field}: must not be empty";
            case "pattern":
                return $"{field}: must be an http(s) URL or a data: URL of a JPEG or PNG image";
            case "maxLength":
                return $"{field}: must be at most {schema?["maxLength"]} characters";
            case "maxItems":
                return $"{field}: at most {schema?["maxItems"]} items are allowed";
            case "minItems":
                return $"{field}: at least {schema?["minItems"]} items are required";
            case "additionalProperties" or "properties" or "items" or "":
                return null; // reported on the nested location
            default:
                return $"{field}: is not valid ({keyword})";
        }
    }

    private static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static IEnumerable<string> PropertyNames(ModelDefinition model) =>
        model.RequestSchema["properties"]?.AsObject().Select(p => p.Key) ?? [];

    private static string Article(string type) => type switch
    {
        "integer" => "an integer",
        "array" => "an array",
        "object" => "an object",
        "string" => "a string",
        "number" => "a number",
        "boolean" => "a boolean",
        _ => type,
    };

    /// <summary>
    /// Rules a JSON Schema cannot state: the prompt may not name more images than were given. A
    /// request with no references at all is exempt — the seed page's own minimal examples name
    /// "Image 1" without any, and the renderer casts a stand-in for it. The problem, or null.
    /// </summary>
    private static string? RuleBeyondSchemaProblem(JsonObject parameters)
    {
        var given = parameters["reference_images"] is JsonArray refs ? refs.Count : 0;
        if (given == 0) return null;
        if (parameters["prompt"] is not JsonValue promptValue || !promptValue.TryGetValue(out string? prompt)) return null;
        var mentions = ReferenceMentions.Find(prompt);
        // A number too large to read is named as written.
        var tooHigh = mentions.Where(m => m.ImageIndex > given)
            .Select(m => (m.ImageIndex, Name: m.ImageIndex == int.MaxValue ? $"\"{prompt.Substring(m.Position, m.Length)}\"" : "Image " + m.ImageIndex.ToString(CultureInfo.InvariantCulture)))
            .DistinctBy(m => m.Name).OrderBy(m => m.ImageIndex).ToList();
        if (tooHigh.Count == 0) return null;
        var names = string.Join(", ", tooHigh.Select(m => m.Name));
        return $"prompt: names {names} but reference_images has {given} image{(given == 1 ? "" : "s")}";
    }

    /// <summary>JSON Schema counts 5.0 as an integer; store it as 5 so every reader can take it as one.</summary>
    private static JsonNode? IntegerOf(JsonNode? schema, JsonNode value) =>
        schema?["type"]?.GetValue<string>() == "integer" && value is JsonValue v && v.TryGetValue(out decimal d)
            ? JsonValue.Create((long)d)
            : null;

    /// <summary>
    /// The given fields in the schema's order, each absent one given its default (the prompt has no implied default); a
    /// field the schema does not name is left out (the schema's check has refused it). Built once, from the body's
    /// elements: wrapped, not cloned, since cloning copies the bytes behind them (megabytes, for an image as a data: URL).
    /// </summary>
    private static JsonObject WithDefaults(ModelDefinition model, List<JsonProperty> given)
    {
        var parameters = new JsonObject();
        if (model.RequestSchema["properties"] is not JsonObject properties)
        {
            foreach (var property in given) parameters[property.Name] = NodeOf(property.Value);
            return parameters;
        }
        foreach (var (name, schema) in properties)
        {
            if (LastGiven(given, name) is { } value)
            {
                var node = NodeOf(value)!;
                parameters[name] = IntegerOf(schema, node) ?? node;
            }
            else if (schema?["default"] is { } fallback && name != "prompt") parameters[name] = fallback.DeepClone();
        }
        return parameters;
    }

    /// <summary>The value of the field named <paramref name="name"/>; a name given twice takes its last value, as JSON readers do.</summary>
    private static JsonElement? LastGiven(List<JsonProperty> given, string name)
    {
        for (var i = given.Count - 1; i >= 0; i--)
        {
            if (given[i].NameEquals(name)) return given[i].Value;
        }
        return null;
    }
}
