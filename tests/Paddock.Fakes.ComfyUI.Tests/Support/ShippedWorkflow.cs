using System.Text.Json.Nodes;

namespace Paddock.Fakes.ComfyUI.Tests.Support;

/// <summary>What one pass asks of a workflow (the engine's job description, in the manifest's terms).</summary>
public sealed record Pass(string Prompt, long Seed, int Width, int Height, int Length, IReadOnlyList<string> References,
    string? ContinuationVideo = null, int ContinuationFrames = 9, string? NegativePrompt = null);

/// <summary>
/// A shipped workflow template with its manifest, filled by the rules docs/providers/comfyui.md gives
/// ("Workflow manifests"): bindings, reference wiring by count, continuation or its removal, then pruning
/// everything the output node does not need.
/// </summary>
public sealed class ShippedWorkflow
{
    private ShippedWorkflow(string name, JsonObject manifest, JsonObject workflow)
    {
        Name = name;
        Manifest = manifest;
        Workflow = workflow;
    }

    public string Name { get; }
    public JsonObject Manifest { get; }
    public JsonObject Workflow { get; }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Shipped", "Workflows");

    public static IEnumerable<string> Names => Directory.EnumerateFiles(Folder, "*.manifest.json")
        .Select(f => Path.GetFileName(f)[..^".manifest.json".Length]).Order();

    public static ShippedWorkflow Load(string name)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, $"{name}.manifest.json")))!.AsObject();
        var workflow = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, manifest["workflow"]!.GetValue<string>())))!.AsObject();
        return new ShippedWorkflow(name, manifest, workflow);
    }

    public int MaxReferences => Manifest["references"]!["max"]!.GetValue<int>();
    public string OutputNode => Manifest["output"]!["node"]!.GetValue<string>();
    public int NativeFps => Manifest["native"]!["fps"]!.GetValue<int>();

    public JsonObject Fill(Pass pass)
    {
        var graph = Workflow.DeepClone().AsObject();
        void Set(string binding, JsonNode value)
        {
            foreach (var target in Manifest["bindings"]![binding]!.AsArray())
                graph[target!["node"]!.GetValue<string>()]!["inputs"]![target["input"]!.GetValue<string>()] = value.DeepClone();
        }
        Set("prompt", pass.Prompt);
        if (pass.NegativePrompt is not null) Set("negative_prompt", pass.NegativePrompt);
        Set("seed", pass.Seed);
        Set("width", pass.Width);
        Set("height", pass.Height);
        Set("length", pass.Length);
        Set("fps", (double)NativeFps);

        var references = Manifest["references"]!;
        if (pass.References.Count > MaxReferences) throw new ArgumentException($"{Name} takes at most {MaxReferences} references");
        var slots = references["slots"]!.AsArray();
        for (var i = 0; i < pass.References.Count; i++)
            graph[slots[i]!["node"]!.GetValue<string>()]!["inputs"]![slots[i]!["input"]!.GetValue<string>()] = pass.References[i];
        Wire(graph, references["wiring"]![pass.References.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]!.AsArray());

        var continuation = Manifest["continuation"];
        if (continuation is JsonObject c && pass.ContinuationVideo is not null)
        {
            foreach (var target in c["video"]!.AsArray())
                graph[target!["node"]!.GetValue<string>()]!["inputs"]![target["input"]!.GetValue<string>()] = pass.ContinuationVideo;
            foreach (var target in c["frames"]!.AsArray())
                graph[target!["node"]!.GetValue<string>()]!["inputs"]![target["input"]!.GetValue<string>()] = pass.ContinuationFrames;
        }
        else if (continuation is JsonObject unused)
        {
            Wire(graph, unused["unused_wiring"]!.AsArray());
        }
        else if (pass.ContinuationVideo is not null)
        {
            throw new ArgumentException($"{Name} cannot continue from a previous pass");
        }
        return Prune(graph, OutputNode);
    }

    private static void Wire(JsonObject graph, JsonArray changes)
    {
        foreach (var change in changes)
        {
            var inputs = graph[change!["node"]!.GetValue<string>()]!["inputs"]!.AsObject();
            var input = change["input"]!.GetValue<string>();
            if (change["link"] is JsonArray link) inputs[input] = link.DeepClone();
            else inputs.Remove(input);
        }
    }

    /// <summary>Keeps only the output node and what it needs, following links upstream.</summary>
    public static JsonObject Prune(JsonObject graph, string output)
    {
        var keep = new HashSet<string>();
        var stack = new Stack<string>([output]);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!keep.Add(id)) continue;
            foreach (var (_, value) in graph[id]!["inputs"]!.AsObject())
                if (value is JsonArray { Count: 2 } link && link[0] is JsonValue source && source.TryGetValue<string>(out var from)) stack.Push(from);
        }
        var pruned = new JsonObject();
        foreach (var (id, node) in graph)
            if (keep.Contains(id)) pruned[id] = node!.DeepClone();
        return pruned;
    }
}
