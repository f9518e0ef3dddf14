using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema.Keywords;

namespace Paddock.Core.Validation;

/// <summary>
/// A model's request schema turned, once, into plain checks on the request's own JSON elements: the quick answer for the
/// request that is valid, which is most of them. It only ever says "valid" where the full JSON Schema evaluation would
/// too; anything it cannot prove (a failure, a number written as 1e2, a string longer than a quick count can settle) goes
/// to that evaluation, which also words the problems.
/// </summary>
/// <remarks>
/// Before, every enqueue copied its fields into a new document and evaluated the schema over it: 9–10 µs a request
/// measured alone, against about 2 µs for these checks (docs/BENCHMARKS.md, issue 15, enqueue). A schema that uses a
/// keyword outside the subset the catalog's documents use is not compiled (<see cref="TryCompile"/> returns null), and
/// its requests are always evaluated in full.
/// </remarks>
public sealed class CompiledRequestSchema
{
    private readonly CompiledObject _root;

    private CompiledRequestSchema(CompiledObject root) => _root = root;

    /// <summary>
    /// The compiled form of an object schema, or null where it uses a validation keyword this does not compile (then the
    /// full evaluation is the only one).
    /// </summary>
    public static CompiledRequestSchema? TryCompile(JsonObject schema)
    {
        if (!OnlyCompiledKeywords(schema) || schema["type"] is not JsonValue type || !type.TryGetValue(out string? name) || name != "object") return null;
        return CompileObject(schema) is { } root ? new CompiledRequestSchema(root) : null;
    }

    /// <summary>
    /// True only when these fields are certainly valid against the schema (as the full evaluation of an object made of
    /// exactly them would find); false means "not shown here", not "invalid".
    /// </summary>
    public bool Accepts(IReadOnlyList<JsonProperty> fields) => _root.Accepts(fields);

    /// <summary>The JSON Schema 2020-12 keywords that validate. Any other keyword is an annotation (a title, renderType, x-order).</summary>
    private static readonly HashSet<string> ValidationKeywords =
    [
        "$ref", "$dynamicRef", "$recursiveRef", "$defs", "definitions", "$id", "$anchor", "$dynamicAnchor", "$vocabulary",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies", "prefixItems", "items",
        "additionalItems", "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum",
        "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "format",
        "contentEncoding", "contentMediaType", "contentSchema",
    ];

    /// <summary>Those of them compiled here; a schema with any other is left to the full evaluation.</summary>
    private static readonly HashSet<string> CompiledKeywords =
        ["type", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "properties", "required", "additionalProperties"];

    private static bool OnlyCompiledKeywords(JsonObject schema) =>
        schema.All(p => !ValidationKeywords.Contains(p.Key) || CompiledKeywords.Contains(p.Key));

    /// <summary>An object's checks: its properties' own, the names it requires, and whether it takes others.</summary>
    private sealed record CompiledObject(Dictionary<string, Check> Properties, string[] Required, bool Closed)
    {
        /// <summary>The properties by their UTF-8 names, compared with a body's names where they are (no string made per name).</summary>
        private readonly (byte[] Name, Check Check)[] _byUtf8Name = Properties.Select(p => (System.Text.Encoding.UTF8.GetBytes(p.Key), p.Value)).ToArray();

        public bool Accepts(IReadOnlyList<JsonProperty> fields)
        {
            foreach (var field in fields)
            {
                if (CheckOf(field) is { } check)
                {
                    if (!check.Accepts(field.Value)) return false;
                }
                else if (Closed) return false;
            }
            foreach (var name in Required)
            {
                var found = false;
                foreach (var field in fields)
                {
                    if (field.NameEquals(name))
                    {
                        found = true;
                        break;
                    }
                }
                if (!found) return false;
            }
            return true;
        }

        private Check? CheckOf(JsonProperty field)
        {
            foreach (var (name, check) in _byUtf8Name)
            {
                if (field.NameEquals(name)) return check;
            }
            return null;
        }
    }

    private static CompiledObject? CompileObject(JsonObject schema)
    {
        var properties = new Dictionary<string, Check>(StringComparer.Ordinal);
        if (schema["properties"] is { } declared)
        {
            if (declared is not JsonObject each) return null;
            foreach (var (name, property) in each)
            {
                if (property is not JsonObject propertySchema || Compile(propertySchema) is not { } check) return null;
                properties[name] = check;
            }
        }
        var required = Array.Empty<string>();
        if (schema["required"] is { } names)
        {
            if (names is not JsonArray list || list.Any(n => n is not JsonValue v || !v.TryGetValue(out string? _))) return null;
            required = list.Select(n => n!.GetValue<string>()).ToArray();
        }
        var closed = false;
        if (schema["additionalProperties"] is { } additional)
        {
            // Only true or false; a schema for the other properties is not compiled.
            if (additional is not JsonValue flag || !flag.TryGetValue(out bool allowed)) return null;
            closed = !allowed;
        }
        return new CompiledObject(properties, required, closed);
    }

    private static Check? Compile(JsonObject schema)
    {
        if (!OnlyCompiledKeywords(schema)) return null;
        if (schema["type"] is not JsonValue typeValue || !typeValue.TryGetValue(out string? type)) return null; // no type, or a list of them
        var enumValues = ReadEnum(schema, out var enumUsable);
        if (!enumUsable) return null;
        if (!TryReadDecimal(schema, "minimum", out var minimum) || !TryReadDecimal(schema, "maximum", out var maximum)) return null;
        if (!TryReadCount(schema, "minLength", out var minLength) || !TryReadCount(schema, "maxLength", out var maxLength)) return null;
        if (!TryReadCount(schema, "minItems", out var minItems) || !TryReadCount(schema, "maxItems", out var maxItems)) return null;
        Regex? pattern = null;
        if (schema["pattern"] is { } patternNode)
        {
            // The very Regex the full evaluation matches with (its options, its timeout), so the two cannot disagree.
            using var patternDocument = JsonDocument.Parse(patternNode.ToJsonString());
            if (PatternKeyword.Instance.ValidateKeywordValue(patternDocument.RootElement) is not Regex regex) return null;
            pattern = regex;
        }
        Check? items = null;
        if (schema["items"] is { } itemsNode)
        {
            if (itemsNode is not JsonObject itemsSchema || Compile(itemsSchema) is not { } itemCheck) return null;
            items = itemCheck;
        }
        CompiledObject? nested = null;
        if (type == "object" && (nested = CompileObject(schema)) is null) return null;
        return type switch
        {
            "string" or "integer" or "number" or "boolean" or "array" or "object" or "null" =>
                new Check(type, enumValues, minimum, maximum, minLength, maxLength, pattern, minItems, maxItems, items, nested),
            _ => null,
        };
    }

    /// <summary>An enum of strings only (others are not compiled); usable is false for any other enum.</summary>
    private static string[]? ReadEnum(JsonObject schema, out bool usable)
    {
        usable = true;
        if (schema["enum"] is not { } node) return null;
        if (node is not JsonArray values || values.Any(v => v is not JsonValue s || s.GetValueKind() != JsonValueKind.String))
        {
            usable = false;
            return null;
        }
        return values.Select(v => v!.GetValue<string>()).ToArray();
    }

    private static bool TryReadDecimal(JsonObject schema, string keyword, out decimal? value)
    {
        value = null;
        if (schema[keyword] is not { } node) return true;
        if (node is JsonValue number && number.GetValueKind() == JsonValueKind.Number && decimal.TryParse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            value = d;
            return true;
        }
        return false;
    }

    private static bool TryReadCount(JsonObject schema, string keyword, out int? value)
    {
        value = null;
        if (!TryReadDecimal(schema, keyword, out var d)) return false;
        if (d is null) return true;
        if (d < 0 || d > int.MaxValue || d != decimal.Truncate(d.Value)) return false;
        value = (int)d.Value;
        return true;
    }

    /// <summary>The checks of one value's schema.</summary>
    private sealed record Check(
        string Type, string[]? Enum, decimal? Minimum, decimal? Maximum, int? MinLength, int? MaxLength, Regex? Pattern,
        int? MinItems, int? MaxItems, Check? Items, CompiledObject? Object)
    {
        public bool Accepts(JsonElement value)
        {
            switch (Type)
            {
                case "string":
                    return value.ValueKind == JsonValueKind.String && AcceptsString(value);
                case "integer":
                    // A plain integer literal; 5.0 or 1e2 (integers to JSON Schema too) go to the full evaluation.
                    return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var whole) && InRange(whole) && Enum is null;
                case "number":
                    return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) && InRange(number) && Enum is null;
                case "boolean":
                    return value.ValueKind is JsonValueKind.True or JsonValueKind.False && Enum is null;
                case "null":
                    return value.ValueKind == JsonValueKind.Null && Enum is null;
                case "array":
                    return value.ValueKind == JsonValueKind.Array && Enum is null && AcceptsArray(value);
                case "object":
                    return value.ValueKind == JsonValueKind.Object && Enum is null && AcceptsObject(value);
                default:
                    return false;
            }
        }

        private bool InRange(decimal number) => (Minimum is not { } min || number >= min) && (Maximum is not { } max || number <= max);

        private bool AcceptsString(JsonElement value)
        {
            if (Enum is not null)
            {
                var listed = false;
                foreach (var allowed in Enum)
                {
                    if (value.ValueEquals(allowed))
                    {
                        listed = true;
                        break;
                    }
                }
                if (!listed) return false;
            }
            var text = value.GetString()!;
            // Whatever a length counts (UTF-16 units, code points or grapheme clusters), it is at most the UTF-16 length
            // and at least the number of grapheme clusters: those two bounds decide without counting in most cases.
            if (MaxLength is { } max && text.Length > max) return false;
            if (MinLength is { } min && min > 0 && (text.Length == 0 || (min > 1 && new StringInfo(text).LengthInTextElements < min))) return false;
            return Pattern is null || Pattern.IsMatch(text);
        }

        private bool AcceptsArray(JsonElement value)
        {
            var count = value.GetArrayLength();
            if (MinItems is { } min && count < min) return false;
            if (MaxItems is { } max && count > max) return false;
            if (Items is null) return true;
            foreach (var item in value.EnumerateArray())
            {
                if (!Items.Accepts(item)) return false;
            }
            return true;
        }

        private bool AcceptsObject(JsonElement value) => Object!.Accepts(value.EnumerateObject().ToList());
    }
}
