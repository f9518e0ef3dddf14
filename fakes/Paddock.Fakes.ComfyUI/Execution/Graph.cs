using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Catalog;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI.Execution;

/// <summary>A validated graph as the executor reads it: links, literal values, cache signatures and the order to run.</summary>
internal sealed class Graph(JsonObject prompt, NodeCatalog catalog, FakeFolders folders)
{
    private readonly Dictionary<string, string> _signatures = new(StringComparer.Ordinal);

    public JsonObject Prompt => prompt;

    public IEnumerable<string> NodeIds => prompt.Select(p => p.Key);

    public string ClassType(string id) => prompt[id]?["class_type"]?.GetValue<string>() ?? "";

    public NodeClass Class(string id) => catalog.Loaded(ClassType(id)) ?? throw new InvalidOperationException($"node {id}: class {ClassType(id)} is not loaded");

    public JsonObject Inputs(string id) => prompt[id]?["inputs"] as JsonObject ?? [];

    public static bool IsLink(JsonNode? value, out string source, out int slot)
    {
        source = "";
        slot = 0;
        if (value is not JsonArray { Count: 2 } link || link[0] is not JsonValue s || !s.TryGetValue(out string? id)) return false;
        source = id!;
        slot = link[1] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
        return true;
    }

    public IEnumerable<string> Sources(string id)
    {
        foreach (var (_, value) in Inputs(id))
            if (IsLink(value, out var source, out _) && prompt.ContainsKey(source)) yield return source;
    }

    /// <summary>
    /// The cache key of a node: its class, its literal inputs and the keys of what it is linked to, plus the
    /// content of the file a loader reads (LoadImage's IS_CHANGED hashes the file). Equal keys mean
    /// "already computed", as comfy_execution/caching.py's input signatures do.
    /// </summary>
    public string Signature(string id) => Signature(id, []);

    private string Signature(string id, HashSet<string> visiting)
    {
        if (_signatures.TryGetValue(id, out var known)) return known;
        if (!visiting.Add(id)) return "cycle";
        var text = new StringBuilder(ClassType(id));
        foreach (var (inputName, value) in Inputs(id).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("|").Append(inputName).Append("=");
            if (IsLink(value, out var source, out var slot) && prompt.ContainsKey(source))
                text.Append('@').Append(Signature(source, visiting)).Append(':').Append(slot.ToString(CultureInfo.InvariantCulture));
            else
                text.Append(value?.ToJsonString() ?? "null");
        }
        var fileInput = catalog.Loaded(ClassType(id))?.Fake["validate_file"]?["input"]?.GetValue<string>();
        if (fileInput is not null && Inputs(id)[fileInput] is JsonValue file && file.TryGetValue<string>(out var name)
            && folders.AnnotatedFilePath(name) is { } path && File.Exists(path))
            text.Append("|file=").Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
        visiting.Remove(id);
        return _signatures[id] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The nodes to run, dependencies first: from each output, up its links, not into nodes whose results are
    /// cached (comfy_execution/graph.py ExecutionList.add_node skips cached inputs). A cached output stays in the list.
    /// </summary>
    public List<string> ExecutionOrder(IEnumerable<string> outputs, Func<string, bool> isCached)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string id)
        {
            if (!seen.Add(id)) return;
            if (!isCached(id))
                foreach (var source in Sources(id))
                    if (!isCached(source)) Visit(source);
            order.Add(id);
        }
        foreach (var output in outputs) Visit(output);
        return order;
    }

    /// <summary>The nearest node upstream of <paramref name="from"/> (itself included) whose fake role is <paramref name="role"/>.</summary>
    public string? Upstream(string from, string role)
    {
        var queue = new Queue<string>([from]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            if (catalog.Loaded(ClassType(id))?.Role == role) return id;
            foreach (var source in Sources(id))
                if (seen.Add(source)) queue.Enqueue(source);
        }
        return null;
    }

    /// <summary>A literal input, or the value a primitive node it is linked to holds ("value" input).</summary>
    public JsonNode? Literal(string id, string input)
    {
        var value = Inputs(id)[input];
        for (var hops = 0; hops < 8 && IsLink(value, out var source, out _); hops++) value = Inputs(source)["value"];
        return value is JsonArray ? null : value;
    }

    public double Number(string id, string input, double fallback)
    {
        var value = Literal(id, input);
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)
            : fallback;
    }

    public string Text(string id, string input, string fallback) =>
        Literal(id, input) is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;
}
