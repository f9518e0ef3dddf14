using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Catalog;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI.Validation;

/// <summary>What execution.validate_prompt returns: (valid, error, outputs to execute, node_errors).</summary>
internal sealed record ValidationResult(bool Valid, JsonObject? Error, IReadOnlyList<string> GoodOutputs, JsonObject NodeErrors);

/// <summary>A Python exception the real server would raise while validating (a KeyError on a dangling link, ...).</summary>
internal sealed class PythonError(string type, string message) : Exception(message)
{
    public string Type { get; } = type;
}

/// <summary>A graph the real server cannot even read: aiohttp answers 500 without a JSON body.</summary>
internal sealed class ServerFault(string message) : Exception(message);

/// <summary>
/// Checks a graph against the node catalogue the way execution.py validate_prompt / validate_inputs do
/// (ComfyUI 0.38.1 source, with the 0.3.6x variants where <see cref="ComfyUIFlavor.Legacy"/> asks for them):
/// every class must exist, the outputs are found, and each output's inputs are validated recursively.
/// Validation coerces literal inputs in place (int(), float(), str()), as the real one does.
/// </summary>
internal sealed class PromptValidator(NodeCatalog catalog, FakeFolders folders, FakeComfyUIOptions options)
{
    public ValidationResult Validate(JsonObject prompt, IReadOnlyCollection<string>? partialTargets)
    {
        var outputs = new List<string>();
        foreach (var (id, value) in prompt)
        {
            if (value is not JsonObject node) throw new ServerFault($"node {id} is not an object");
            var title = node["_meta"]?["title"]?.GetValue<string>();
            if (node["class_type"] is not JsonValue classValue)
            {
                return Invalid(options.Flavor == ComfyUIFlavor.Legacy
                    ? Error("invalid_prompt", "Cannot execute because a node is missing the class_type property.", $"Node ID '#{id}'", [])
                    : Error("missing_node_type", $"Node '{title ?? $"ID #{id}"}' has no class_type. The workflow may be corrupted or a custom node is missing.",
                        $"Node ID '#{id}'", new JsonObject { ["node_id"] = id, ["class_type"] = null, ["node_title"] = title }));
            }
            var classType = PythonText.Str(classValue);
            var cls = catalog.Find(classType);
            if (cls is null)
            {
                return Invalid(options.Flavor == ComfyUIFlavor.Legacy
                    ? Error("invalid_prompt", $"Cannot execute because node {classType} does not exist.", $"Node ID '#{id}'", [])
                    : Error("missing_node_type", $"Node '{title ?? classType}' not found. The custom node may not be installed.",
                        $"Node ID '#{id}'", new JsonObject { ["node_id"] = id, ["class_type"] = classType, ["node_title"] = title ?? classType }));
            }
            if (cls.IsOutputNode && (partialTargets is null || partialTargets.Contains(id))) outputs.Add(id);
        }
        if (outputs.Count == 0) return Invalid(Error("prompt_no_outputs", "Prompt has no outputs", "", []));

        var run = new Run(prompt, catalog, folders);
        var good = new List<string>();
        var failures = new List<(string Output, JsonArray Reasons)>();
        var nodeErrors = new JsonObject();
        foreach (var output in outputs)
        {
            bool valid;
            JsonArray reasons;
            try
            {
                var result = run.ValidateInputs(output, []);
                (valid, reasons) = (result.Valid, result.Errors);
            }
            catch (PythonError ex)
            {
                valid = false;
                reasons = [new JsonObject
                {
                    ["type"] = "exception_during_validation",
                    ["message"] = "Exception when validating node",
                    ["details"] = ex.Message,
                    ["extra_info"] = new JsonObject { ["exception_type"] = ex.Type, ["traceback"] = new JsonArray() },
                }];
                run.Validated[output] = (false, reasons);
            }
            if (valid)
            {
                good.Add(output);
                continue;
            }
            failures.Add((output, reasons));
            // As validate_prompt does: every node validated so far that carries errors is charged to this output.
            foreach (var (nodeId, (ok, errors)) in run.Validated)
            {
                if (ok || errors.Count == 0) continue;
                if (nodeErrors[nodeId] is not JsonObject entry)
                {
                    entry = new JsonObject
                    {
                        ["errors"] = errors.DeepClone(),
                        ["dependent_outputs"] = new JsonArray(),
                        ["class_type"] = prompt[nodeId]?["class_type"]?.DeepClone(),
                    };
                    nodeErrors[nodeId] = entry;
                }
                entry["dependent_outputs"]!.AsArray().Add(output);
            }
        }
        if (good.Count > 0) return new ValidationResult(true, null, good, nodeErrors);
        var details = string.Join("\n", failures.SelectMany(f => f.Reasons).Select(r => $"{r!["message"]}: {r["details"]}"));
        return new ValidationResult(false, Error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details, []), good, nodeErrors);
    }

    public static JsonObject Error(string type, string message, string details, JsonObject extraInfo) => new()
    {
        ["type"] = type,
        ["message"] = message,
        ["details"] = details,
        ["extra_info"] = extraInfo,
    };

    private static ValidationResult Invalid(JsonObject error) => new(false, error, [], []);

    /// <summary>The state of one validate_prompt call: the memo of validated nodes, in the order they were done.</summary>
    private sealed class Run(JsonObject prompt, NodeCatalog catalog, FakeFolders folders)
    {
        public OrderedDictionary<string, (bool Valid, JsonArray Errors)> Validated { get; } = new(StringComparer.Ordinal);

        public (bool Valid, JsonArray Errors) ValidateInputs(string id, List<string> visiting)
        {
            if (Validated.TryGetValue(id, out var done)) return done;
            if (visiting.Contains(id)) return Cycle(id, visiting);

            var node = prompt[id]!.AsObject();
            var inputs = node["inputs"] as JsonObject ?? throw new PythonError("KeyError", "'inputs'");
            var cls = catalog.Find(PythonText.Str(node["class_type"]))!;
            var errors = new JsonArray();
            var valid = true;
            var checkedFile = cls.Fake["validate_file"]?["input"]?.GetValue<string>();

            foreach (var spec in cls.Inputs)
            {
                var x = spec.Name;
                if (!inputs.ContainsKey(x))
                {
                    if (spec.Category == "required")
                        errors.Add(Problem("required_input_missing", "Required input is missing", x, new JsonObject { ["input_name"] = x }));
                    continue;
                }
                var val = inputs[x];
                if (val is JsonArray link)
                {
                    if (link.Count != 2)
                    {
                        errors.Add(Problem("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", x,
                            new JsonObject { ["input_name"] = x, ["input_config"] = spec.Config(), ["received_value"] = val.DeepClone() }));
                        continue;
                    }
                    var sourceId = link[0] is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : null;
                    if (sourceId is null || prompt[sourceId] is not JsonObject source) throw new PythonError("KeyError", PythonText.Repr(link[0]));
                    var sourceClass = catalog.Find(PythonText.Str(source["class_type"]))
                        ?? throw new PythonError("KeyError", PythonText.Repr(source["class_type"]));
                    if (link[1] is not JsonValue slotValue || slotValue.GetValueKind() != JsonValueKind.Number || !slotValue.TryGetValue<int>(out var slot))
                        throw new PythonError("TypeError", "tuple indices must be integers or slices, not " + PythonTypeName(link[1]));
                    if (slot < 0) slot += sourceClass.OutputTypes.Count;
                    if (slot < 0 || slot >= sourceClass.OutputTypes.Count) throw new PythonError("IndexError", "tuple index out of range");
                    var received = sourceClass.OutputTypes[slot];
                    if (!TypesMatch(received, spec.Type))
                    {
                        errors.Add(Problem("return_type_mismatch", "Return type mismatch between linked nodes",
                            $"{x}, received_type({received}) mismatch input_type({TypeText(spec.Type)})",
                            new JsonObject { ["input_name"] = x, ["input_config"] = spec.Config(), ["received_type"] = received, ["linked_node"] = val.DeepClone() }));
                        continue;
                    }
                    try
                    {
                        visiting.Add(id);
                        (bool Valid, JsonArray Errors) inner;
                        try { inner = ValidateInputs(sourceId, visiting); }
                        finally { visiting.RemoveAt(visiting.Count - 1); }
                        if (!inner.Valid) valid = false;
                    }
                    catch (PythonError ex)
                    {
                        valid = false;
                        Validated[sourceId] = (false, [new JsonObject
                        {
                            ["type"] = "exception_during_inner_validation",
                            ["message"] = "Exception when validating inner node",
                            ["details"] = ex.Message,
                            ["extra_info"] = new JsonObject
                            {
                                ["input_name"] = x, ["input_config"] = spec.Config(), ["exception_message"] = ex.Message,
                                ["exception_type"] = ex.Type, ["traceback"] = new JsonArray(), ["linked_node"] = val.DeepClone(),
                            },
                        }]);
                    }
                    continue;
                }

                if (val is JsonObject wrapped && wrapped.ContainsKey("__value__"))
                {
                    val = wrapped["__value__"]?.DeepClone();
                    inputs[x] = val;
                }
                JsonNode? converted;
                try
                {
                    converted = Convert(spec.TypeName, val);
                }
                catch (PythonError ex)
                {
                    errors.Add(Problem("invalid_input_type", $"Failed to convert an input value to a {spec.TypeName} value", $"{x}, {PythonText.Str(val)}, {ex.Message}",
                        new JsonObject { ["input_name"] = x, ["input_config"] = spec.Config(), ["received_value"] = val?.DeepClone(), ["exception_message"] = ex.Message }));
                    continue;
                }
                if (!ReferenceEquals(converted, val))
                {
                    inputs[x] = converted;
                    val = converted;
                }
                if (x == checkedFile) continue;  // the node's own VALIDATE_INPUTS judges this input (below)

                if (Bound(spec.Options["min"], val, out var min) is < 0)
                {
                    errors.Add(Problem("value_smaller_than_min", $"Value {ValueText(spec, val)} smaller than min of {min}", x,
                        new JsonObject { ["input_name"] = x, ["input_config"] = spec.Config(), ["received_value"] = val?.DeepClone() }));
                    continue;
                }
                if (Bound(spec.Options["max"], val, out var max) is > 0)
                {
                    errors.Add(Problem("value_bigger_than_max", $"Value {ValueText(spec, val)} bigger than max of {max}", x,
                        new JsonObject { ["input_name"] = x, ["input_config"] = spec.Config(), ["received_value"] = val?.DeepClone() }));
                    continue;
                }
                var choices = spec.Type is JsonArray list ? list : spec.TypeName == "COMBO" ? spec.Options["options"] as JsonArray ?? [] : null;
                if (choices is not null && !choices.Any(c => JsonNode.DeepEquals(c, val)))
                {
                    // "Don't send back gigantic lists like if they're lots of scanned model filepaths" (execution.py).
                    var big = choices.Count > 20;
                    errors.Add(Problem("value_not_in_list", "Value not in list",
                        $"{x}: {PythonText.Repr(val)} not in {(big ? $"(list of length {choices.Count})" : PythonText.ListRepr(choices))}",
                        new JsonObject { ["input_name"] = x, ["input_config"] = big ? null : spec.Config(), ["received_value"] = val?.DeepClone() }));
                }
            }

            if (checkedFile is not null && inputs[checkedFile] is JsonValue fileValue && fileValue.GetValueKind() == JsonValueKind.String
                && !folders.AnnotatedFileExists(fileValue.GetValue<string>()))
            {
                var message = string.Format(CultureInfo.InvariantCulture, cls.Fake["validate_file"]!["message"]!.GetValue<string>(), fileValue.GetValue<string>());
                errors.Add(Problem("custom_validation_failed", "Custom validation failed for node", $"{checkedFile} - {message}", new JsonObject { ["input_name"] = checkedFile }));
            }

            var result = (valid && errors.Count == 0, errors);
            Validated[id] = result;
            return result;
        }

        private (bool, JsonArray) Cycle(string id, List<string> visiting)
        {
            var path = visiting.Skip(visiting.IndexOf(id)).Append(id).ToList();
            var members = path.Distinct().ToList();
            var text = string.Join(" -> ", path.Select(n => $"{n} ({PythonText.Str(prompt[n]!["class_type"])})"));
            foreach (var member in members)
            {
                Validated[member] = (false, [new JsonObject
                {
                    ["type"] = "dependency_cycle",
                    ["message"] = "Dependency cycle detected",
                    ["details"] = text,
                    ["extra_info"] = new JsonObject { ["node_id"] = member, ["cycle_nodes"] = new JsonArray(members.Select(m => (JsonNode?)m).ToArray()) },
                }]);
            }
            return Validated[id];
        }
    }

    private static JsonObject Problem(string type, string message, string details, JsonObject extra) => Error(type, message, details, extra);

    /// <summary>comfy_execution/validation.py validate_node_input: same type, "*", or overlapping comma-separated unions.</summary>
    private static bool TypesMatch(string received, JsonNode inputType)
    {
        if (inputType is not JsonValue v || !v.TryGetValue<string>(out var wanted)) return false;
        if (received == wanted) return true;
        var r = received.Split(',').Select(t => t.Trim()).ToHashSet();
        var w = wanted.Split(',').Select(t => t.Trim()).ToHashSet();
        return r.Contains("*") || w.Contains("*") || r.Overlaps(w);
    }

    private static string ValueText(NodeInput spec, JsonNode? val) =>
        spec.TypeName == "FLOAT" && val is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? PythonText.Float(double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture))
            : PythonText.Str(val);

    private static string TypeText(JsonNode type) => type is JsonArray list ? PythonText.ListRepr(list) : PythonText.Str(type);

    private static string PythonTypeName(JsonNode? node) => node switch
    {
        null => "NoneType",
        JsonArray => "list",
        JsonObject => "dict",
        JsonValue v => v.GetValueKind() switch { JsonValueKind.String => "str", JsonValueKind.True or JsonValueKind.False => "bool", _ => "float" },
        _ => "object",
    };

    /// <summary>int(val), float(val), str(val), bool(val) as validate_inputs applies them to literal inputs.</summary>
    private static JsonNode? Convert(string? type, JsonNode? val)
    {
        switch (type)
        {
            case "INT":
                return JsonNode.Parse(ToInteger(val).ToString(CultureInfo.InvariantCulture));
            case "FLOAT":
                var f = ToFloat(val);
                return double.IsFinite(f) ? JsonNode.Parse(PythonText.Float(f)) : val;
            case "STRING":
                return val is JsonValue s && s.GetValueKind() == JsonValueKind.String ? val : JsonValue.Create(PythonText.Str(val));
            case "BOOLEAN":
                return JsonValue.Create(PythonText.Truthy(val));
            default:
                return val;
        }
    }

    private static BigInteger ToInteger(JsonNode? val)
    {
        switch (val)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                var raw = v.ToJsonString();
                if (BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) return whole;
                var d = double.Parse(raw, CultureInfo.InvariantCulture);
                if (double.IsInfinity(d)) throw new PythonError("OverflowError", "cannot convert float infinity to integer");
                return new BigInteger(Math.Truncate(d));
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>().Trim().Replace("_", "");
                if (BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                throw new PythonError("ValueError", $"invalid literal for int() with base 10: {PythonText.Repr(v.GetValue<string>())}");
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return v.GetValueKind() == JsonValueKind.True ? BigInteger.One : BigInteger.Zero;
            default:
                throw new PythonError("TypeError", $"int() argument must be a string, a bytes-like object or a real number, not '{PythonTypeName(val)}'");
        }
    }

    private static double ToFloat(JsonNode? val)
    {
        switch (val)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                return double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>().Trim();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
                if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("infinity", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
                if (text.Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
                throw new PythonError("ValueError", $"could not convert string to float: {PythonText.Repr(v.GetValue<string>())}");
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return v.GetValueKind() == JsonValueKind.True ? 1.0 : 0.0;
            default:
                throw new PythonError("TypeError", $"float() argument must be a string or a real number, not '{PythonTypeName(val)}'");
        }
    }

    /// <summary>Compares a converted number with a min/max option: -1 below, 1 above, 0 within, null when not comparable.</summary>
    private static int? Bound(JsonNode? bound, JsonNode? val, out string boundText)
    {
        boundText = PythonText.Str(bound);
        if (bound is not JsonValue b || b.GetValueKind() != JsonValueKind.Number) return null;
        if (val is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        var limit = b.ToJsonString();
        var value = v.ToJsonString();
        int cmp;
        if (BigInteger.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bi)
            && BigInteger.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var vi))
            cmp = vi.CompareTo(bi);
        else
            cmp = double.Parse(value, CultureInfo.InvariantCulture).CompareTo(double.Parse(limit, CultureInfo.InvariantCulture));
        return cmp;
    }
}
