using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Paddock.Core.Models;
using Paddock.Core.Validation;

namespace Paddock.Core.Tests;

/// <summary>
/// The compiled checks are a shortcut for the JSON Schema evaluation: they may only say "valid" where it does, and they
/// must say it for ordinary valid requests, or the shortcut is never taken.
/// </summary>
public sealed class CompiledRequestSchemaTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.LoadBuiltIn();

    public static TheoryData<string> Models() => [.. ModelCatalog.LoadBuiltIn().All.Select(m => m.Id)];

    [Theory]
    [MemberData(nameof(Models))]
    public void Never_accepts_what_the_schema_evaluation_refuses_and_accepts_every_plain_valid_request(string modelId)
    {
        var model = Catalog.Find(modelId)!;
        Assert.NotNull(model.CompiledSchema); // every built-in model takes the shortcut
        var random = new Random(modelId.GetHashCode(StringComparison.Ordinal) & 0x7fff_ffff);
        var properties = model.RequestSchema["properties"]!.AsObject().Select(p => (p.Key, Schema: p.Value!.AsObject())).ToList();
        int accepted = 0, valid = 0;
        for (var i = 0; i < 4000; i++)
        {
            var body = new StringBuilder("{");
            var plain = true;
            var first = true;
            foreach (var (name, schema) in properties)
            {
                if (random.Next(4) == 0 && name != "prompt") continue; // left out
                if (name == "prompt" && random.Next(40) == 0) continue; // the required one missing, now and then
                var (json, isPlain) = Value(schema, random);
                plain &= isPlain;
                body.Append(first ? "" : ",").Append(JsonSerializer.Serialize(name)).Append(':').Append(json);
                first = false;
            }
            if (random.Next(30) == 0)
            {
                body.Append(first ? "" : ",").Append("\"negative_prompt\":\"blur\"");
                plain = false;
            }
            body.Append('}');

            using var document = JsonDocument.Parse(body.ToString());
            var fields = document.RootElement.EnumerateObject().ToList();
            var quick = model.CompiledSchema!.Accepts(fields);
            var full = model.Validator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
            Assert.False(quick && !full, $"the compiled checks accepted what the schema refuses: {Shown(body)}");
            if (full && plain) Assert.True(quick, $"the compiled checks did not accept an ordinary valid request: {Shown(body)}");
            accepted += quick ? 1 : 0;
            valid += full ? 1 : 0;
        }
        // Both kinds were tried in numbers (the generator is not one-sided).
        Assert.InRange(accepted, 400, 3600);
        Assert.InRange(valid - accepted, 1, 4000);
    }

    [Fact]
    public void A_schema_with_a_keyword_it_does_not_compile_is_evaluated_in_full()
    {
        using var resource = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Paddock.Catalog.happyhorse-1.0-r2v.json")!;
        var doc = JsonNode.Parse(resource)!.AsObject();
        doc["request_schema"]!["properties"]!["duration"]!["multipleOf"] = 5;
        var model = ModelCatalog.Parse(doc);
        Assert.Null(model.CompiledSchema);

        // The rule still holds: 7 is within 3-15 but not a multiple of 5.
        var catalog = new ModelCatalog([model]);
        using var refused = JsonDocument.Parse("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\",\"duration\":7}");
        Assert.NotNull(RequestValidator.Validate(refused.RootElement, catalog, SubmissionKind.Queue, out _));
        using var taken = JsonDocument.Parse("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\",\"duration\":10}");
        Assert.Null(RequestValidator.Validate(taken.RootElement, catalog, SubmissionKind.Queue, out _));
    }

    [Theory]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]}}}")]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[1,2]}}}")]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"uri\"}}}")]
    [InlineData("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}")]
    [InlineData("{\"type\":\"object\",\"allOf\":[{\"required\":[\"a\"]}]}")]
    [InlineData("{\"$ref\":\"#/$defs/x\",\"$defs\":{\"x\":{\"type\":\"object\"}}}")]
    public void Keywords_outside_the_compiled_subset_leave_the_schema_uncompiled(string schema) =>
        Assert.Null(CompiledRequestSchema.TryCompile(JsonNode.Parse(schema)!.AsObject()));

    /// <summary>A value for a property: ordinary ones (plain), and the edges and wrong kinds the shortcut must not wave through.</summary>
    private static (string Json, bool Plain) Value(JsonObject schema, Random random)
    {
        var type = schema["type"]!.GetValue<string>();
        if (random.Next(12) == 0) return (Pick(random, "null", "true", "{}", "[]", "\"\"", "0", "-1", "1.5", "\"x\""), false);
        switch (type)
        {
            case "string" when schema["enum"] is JsonArray allowed:
                return random.Next(5) == 0
                    ? (Pick(random, "\"16:10\"", "\"1080p\"", "\" 720P\"", "\"\\u0031080P\""), false)
                    : (JsonSerializer.Serialize(allowed[random.Next(allowed.Count)]!.GetValue<string>()), true);
            case "string" when schema["renderType"]?.GetValue<string>() == "image-url":
                return ImageUrl(random);
            case "string":
                return random.Next(4) switch
                {
                    0 => (Pick(random, "\"\"", "\" \"", "\"\\u3000\"", "\"\\t\\n\"", "\"\\u00a0\"", "\"x\\u0301\"", JsonSerializer.Serialize(new string('a', 5000)),
                        JsonSerializer.Serialize(new string('a', 5001)), JsonSerializer.Serialize(string.Concat(Enumerable.Repeat("e\u0301", 2600)))), false),
                    _ => (JsonSerializer.Serialize(Pick(random, "a fox", "Image 1 walks through a garden", "雪の中の狐", "a\nb")), true),
                };
            case "integer":
            {
                var min = schema["minimum"]?.GetValue<long>() ?? 0;
                var max = schema["maximum"]?.GetValue<long>() ?? 100;
                return random.Next(4) == 0
                    ? (Pick(random, $"{min - 1}", $"{max + 1}", $"{min}.0", $"{max}.5", "1e1", "1E400", "99999999999999999999", "-0", $"\"{min}\""), false)
                    : (random.NextInt64(min, max + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            }
            case "array":
            {
                var count = random.Next(5) == 0 ? Pick(random, 0, 9, 10, 12) : random.Next(1, 4);
                var plain = count is > 0 and <= 9;
                var items = Enumerable.Range(0, count).Select(_ =>
                {
                    var (item, isPlain) = ImageUrl(random);
                    plain &= isPlain;
                    return item;
                }).ToList();
                return ("[" + string.Join(",", items) + "]", plain);
            }
            default:
                return ("null", false);
        }
    }

    private static (string Json, bool Plain) ImageUrl(Random random) => random.Next(6) != 0
        ? (Pick(random, "\"https://example.com/a.png\"", "\"HTTP://x/y.jpg\"", "\"data:image/png;base64,iVBORw0KGgo=\""), true)
        : (Pick(random, "\"ftp://x/y.png\"", "\"https://x/a b.png\"", "\"data:\"", "7", "null", "\"\"", "\"https://x/\\u3000.png\""), false);

    private static string Shown(StringBuilder body) => body.Length <= 400 ? body.ToString() : body.ToString(0, 400) + $"… ({body.Length} characters)";

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
