using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI.Catalog;

/// <summary>One input of a node class as /object_info describes it: [type, options]; type is a name ("INT") or a list of choices.</summary>
internal sealed record NodeInput(string Name, string Category, JsonNode Type, JsonObject Options)
{
    public string? TypeName => Type is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The choices of a combo: a V1 list type, or a V3 "COMBO" with its options.</summary>
    public List<string>? Choices => Type is JsonArray list
        ? list.Select(x => x?.ToString() ?? "").ToList()
        : TypeName == "COMBO" && Options["options"] is JsonArray options ? options.Select(x => x?.ToString() ?? "").ToList() : null;

    /// <summary>The [type, options] pair server.py puts in extra_info.input_config.</summary>
    public JsonArray Config() => [Type.DeepClone(), Options.DeepClone()];
}

/// <summary>A node class with its current inputs (model and input-file lists filled in).</summary>
internal sealed record NodeClass(string Name, JsonObject Info, IReadOnlyList<NodeInput> Inputs, IReadOnlyList<string> OutputTypes, bool IsOutputNode, JsonObject Fake)
{
    public NodeInput? Input(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    public string? Role => Fake["role"]?.GetValue<string>();

    public string? FakeSetting(string key) => Fake[key]?.GetValue<string>();
}

/// <summary>
/// The node classes the fake serves, read from a data file in /object_info's own shape. Lists of model files and
/// input files are filled in at every read, so /object_info and validation always agree with the knobs and the disk.
/// </summary>
internal sealed class NodeCatalog
{
    private readonly JsonObject _data;
    private readonly FakeComfyUIOptions _options;
    private readonly FakeFolders _folders;

    public NodeCatalog(FakeComfyUIOptions options, FakeFolders folders)
    {
        _options = options;
        _folders = folders;
        _data = Load(options.ObjectInfoPath);
    }

    private static JsonObject Load(string? path)
    {
        if (path is not null)
        {
            using var file = File.OpenRead(path);
            return JsonNode.Parse(file)?.AsObject() ?? throw new InvalidDataException($"{path} is not a JSON object of node classes.");
        }
        using var stream = typeof(NodeCatalog).Assembly.GetManifestResourceStream("Paddock.Fakes.ComfyUI.object_info.json")
            ?? throw new InvalidOperationException("The built-in object_info data file is missing from the assembly.");
        return JsonNode.Parse(stream)!.AsObject();
    }

    public IEnumerable<string> ClassNames => _data
        .Where(p => !p.Key.StartsWith('$') && !_options.MissingNodeClasses.Contains(p.Key))
        .Select(p => p.Key);

    /// <summary>A class as /object_info and validation see it: null when unknown or switched off by <see cref="FakeComfyUIOptions.MissingNodeClasses"/>.</summary>
    public NodeClass? Find(string classType) => _options.MissingNodeClasses.Contains(classType) ? null : Loaded(classType);

    /// <summary>
    /// A class the process has loaded, whatever the knobs say now: a prompt validated before a class was switched
    /// off still executes with it, as a prompt already queued on a real server does.
    /// </summary>
    public NodeClass? Loaded(string classType)
    {
        if (classType.StartsWith('$')) return null;
        if (_data[classType] is not JsonObject raw) return null;
        var info = Expand(raw).AsObject();
        var fake = info["x-fake"]?.AsObject() ?? [];
        info.Remove("x-fake");
        var inputs = new List<NodeInput>();
        foreach (var category in new[] { "required", "optional" })
        {
            if (info["input"]?[category] is not JsonObject group) continue;
            foreach (var (name, spec) in group)
            {
                var pair = spec!.AsArray();
                inputs.Add(new NodeInput(name, category, pair[0]!.DeepClone(), pair.Count > 1 && pair[1] is JsonObject o ? (JsonObject)o.DeepClone() : []));
            }
        }
        var outputs = info["output"]?.AsArray().Select(o => o?.ToString() ?? "").ToList() ?? [];
        return new NodeClass(classType, info, inputs, outputs, info["output_node"]?.GetValue<bool>() ?? false, fake);
    }

    /// <summary>The body of GET /object_info (every served class) or GET /object_info/{class} (that one, or nothing).</summary>
    public JsonObject Render(string? only = null)
    {
        var result = new JsonObject();
        foreach (var name in ClassNames)
        {
            if (only is not null && name != only) continue;
            result[name] = Find(name)!.Info.DeepClone();
        }
        return result;
    }

    /// <summary>The model folders and their files, as GET /models and /models/{folder} list them.</summary>
    public IReadOnlyDictionary<string, List<string>> ModelFolders => _options.ModelFiles;

    private JsonNode Expand(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Expand(p.Value)))),
        JsonArray list => new JsonArray(list.SelectMany(ExpandElement).ToArray()),
        _ => node.DeepClone(),
    };

    private IEnumerable<JsonNode?> ExpandElement(JsonNode? element)
    {
        if (element is JsonValue v && v.TryGetValue<string>(out var token) && token.StartsWith('@'))
        {
            foreach (var name in Tokens(token)) yield return JsonValue.Create(name);
            yield break;
        }
        yield return element is null ? null : Expand(element);
    }

    private IEnumerable<string> Tokens(string token)
    {
        if (token.StartsWith("@folder:", StringComparison.Ordinal))
            return _options.ModelFiles.TryGetValue(token["@folder:".Length..], out var files) ? files.Order(StringComparer.Ordinal).ToList() : [];
        if (token.StartsWith("@input:", StringComparison.Ordinal))
            return _folders.InputFiles(token["@input:".Length..]);
        return [token];
    }
}
