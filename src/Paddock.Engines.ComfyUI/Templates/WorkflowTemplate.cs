using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Engines.ComfyUI.Templates;

/// <summary>One node input a manifest writes to.</summary>
internal sealed record InputTarget(string Node, string Input);

/// <summary>A change of wiring: <see cref="Link"/> <c>[node, slot]</c> connects the input, null removes it.</summary>
internal sealed record WiringChange(string Node, string Input, JsonArray? Link);

/// <summary>A model file a loader node of the template needs, and where on a ComfyUI server it lives.</summary>
internal sealed record ModelFile(string Node, string Input, string Folder, string File, string? Source);

/// <summary>How a template continues from the previous pass's last frames (VACE); absent when it cannot (Phantom).</summary>
internal sealed record Continuation(IReadOnlyList<InputTarget> Video, IReadOnlyList<InputTarget> Frames, int RecommendedFrames, IReadOnlyList<WiringChange> UnusedWiring);

/// <summary>What one pass asks of a template: the values the manifest's bindings receive and the uploaded files' names.</summary>
internal sealed record PassRequest(string Prompt, long Seed, int Width, int Height, int Length, IReadOnlyList<string> References,
    string? ContinuationVideo = null, int ContinuationFrames = 0, string? NegativePrompt = null);

/// <summary>
/// A workflow template (ComfyUI API format, one per model) with its manifest: which node inputs take the prompt,
/// seed, size, length and each reference, how the graph is rewired for the number of references and for a
/// continuation, what the model's native shape is, and which node classes and model files a server must have.
/// Format and fill rules: docs/providers/comfyui.md, "Workflow manifests".
/// </summary>
internal sealed class WorkflowTemplate
{
    public const string Format = "paddock-comfyui-manifest/1";
    private static readonly string[] RequiredBindings = ["prompt", "seed", "width", "height", "length"];

    private readonly JsonObject _workflow;
    private readonly Dictionary<string, IReadOnlyList<InputTarget>> _bindings;
    private readonly IReadOnlyList<InputTarget> _slots;
    private readonly Dictionary<int, IReadOnlyList<WiringChange>> _wiring;

    private WorkflowTemplate(string model, string source, JsonObject workflow, int nativeFps, int maxFramesPerPass, bool fourNPlusOne,
        IReadOnlyDictionary<string, (int Width, int Height)> sizes, Dictionary<string, IReadOnlyList<InputTarget>> bindings,
        int maxReferences, IReadOnlyList<InputTarget> slots, Dictionary<int, IReadOnlyList<WiringChange>> wiring, Continuation? continuation,
        string outputNode, string outputKey, IReadOnlyList<string> nodeClasses, IReadOnlyList<ModelFile> modelFiles)
    {
        Model = model;
        Source = source;
        _workflow = workflow;
        NativeFps = nativeFps;
        MaxFramesPerPass = maxFramesPerPass;
        FourNPlusOne = fourNPlusOne;
        Sizes = sizes;
        _bindings = bindings;
        MaxReferences = maxReferences;
        _slots = slots;
        _wiring = wiring;
        Continuation = continuation;
        OutputNode = outputNode;
        OutputKey = outputKey;
        NodeClasses = nodeClasses;
        ModelFiles = modelFiles;
    }

    /// <summary>The catalog model id this template renders.</summary>
    public string Model { get; }

    /// <summary>Where it came from (a file path, or "shipped"), for messages.</summary>
    public string Source { get; }

    /// <summary>Frames per second of what the model makes.</summary>
    public int NativeFps { get; }

    public int MaxFramesPerPass { get; }

    /// <summary>Wan's rule: a length of 4n+1 frames (another length gives fewer frames than asked).</summary>
    public bool FourNPlusOne { get; }

    /// <summary>The size to ask for, by aspect ratio (16:9, 9:16, 1:1, 4:3, 3:4).</summary>
    public IReadOnlyDictionary<string, (int Width, int Height)> Sizes { get; }

    public int MaxReferences { get; }

    public Continuation? Continuation { get; }

    public string OutputNode { get; }

    /// <summary>The key of the output node's entry in history (<c>images</c> for core SaveVideo).</summary>
    public string OutputKey { get; }

    /// <summary>Every node class the template uses (the manifest's list and the workflow's own, together).</summary>
    public IReadOnlyList<string> NodeClasses { get; }

    public IReadOnlyList<ModelFile> ModelFiles { get; }

    /// <summary>The class_type of a node of the workflow (null for a node it does not have).</summary>
    public string? ClassOf(string node) => _workflow[node]?["class_type"]?.ToString();

    /// <summary>The longest video one pass makes, in seconds.</summary>
    public double SecondsPerPass => MaxFramesPerPass / (double)NativeFps;

    /// <summary>The shortest length the frame rule allows that holds at least <paramref name="frames"/> frames.</summary>
    public int LengthFor(int frames) => FourNPlusOne ? (Math.Max(frames, 1) + 2) / 4 * 4 + 1 : Math.Max(frames, 1);

    /// <summary>
    /// The graph of one pass: bindings written, references placed in their slots and wired for their number, the
    /// continuation filled in or wired away, then pruned to what the output node needs.
    /// </summary>
    public JsonObject Fill(PassRequest pass)
    {
        if (pass.References.Count > MaxReferences)
            throw new ArgumentException($"{Model} takes at most {MaxReferences} reference images; {pass.References.Count} were given");
        var graph = _workflow.DeepClone().AsObject();
        Bind(graph, "prompt", pass.Prompt);
        if (pass.NegativePrompt is not null) Bind(graph, "negative_prompt", pass.NegativePrompt);
        Bind(graph, "seed", pass.Seed);
        Bind(graph, "width", pass.Width);
        Bind(graph, "height", pass.Height);
        Bind(graph, "length", pass.Length);
        Bind(graph, "fps", (double)NativeFps);

        for (var i = 0; i < pass.References.Count; i++) Set(graph, _slots[i], pass.References[i]);
        Rewire(graph, _wiring[pass.References.Count]);

        if (pass.ContinuationVideo is not null)
        {
            if (Continuation is null) throw new ArgumentException($"{Model} cannot continue from a previous pass");
            foreach (var target in Continuation.Video) Set(graph, target, pass.ContinuationVideo);
            foreach (var target in Continuation.Frames) Set(graph, target, pass.ContinuationFrames);
        }
        else if (Continuation is not null)
        {
            Rewire(graph, Continuation.UnusedWiring);
        }
        return Prune(graph, OutputNode);
    }

    private void Bind(JsonObject graph, string binding, JsonNode value)
    {
        if (!_bindings.TryGetValue(binding, out var targets)) return;
        foreach (var target in targets) Set(graph, target, value.DeepClone());
    }

    private static void Set(JsonObject graph, InputTarget target, JsonNode value) => graph[target.Node]!["inputs"]![target.Input] = value;

    private static void Rewire(JsonObject graph, IEnumerable<WiringChange> changes)
    {
        foreach (var change in changes)
        {
            var inputs = graph[change.Node]!["inputs"]!.AsObject();
            if (change.Link is { } link) inputs[change.Input] = link.DeepClone();
            else inputs.Remove(change.Input);
        }
    }

    /// <summary>Keeps only the output node and the nodes it reaches through links (unused loaders would be validated and run).</summary>
    public static JsonObject Prune(JsonObject graph, string output)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([output]);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!keep.Add(id) || graph[id]?["inputs"] is not JsonObject inputs) continue;
            foreach (var (_, value) in inputs)
                if (IsLink(value, out var from)) stack.Push(from);
        }
        var pruned = new JsonObject();
        foreach (var (id, node) in graph)
            if (keep.Contains(id)) pruned[id] = node!.DeepClone();
        return pruned;
    }

    private static bool IsLink(JsonNode? value, out string from)
    {
        from = "";
        if (value is JsonArray { Count: 2 } link && link[0] is JsonValue source && source.TryGetValue<string>(out var id) && link[1] is JsonValue slot
            && slot.GetValueKind() == JsonValueKind.Number)
        {
            from = id;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Reads a manifest and its workflow; every problem is added to <paramref name="problems"/> (prefixed with
    /// <paramref name="source"/>) and null returned, so a deployment's broken template stops the start with reasons.
    /// </summary>
    public static WorkflowTemplate? Parse(string manifestText, Func<string, string?> readWorkflow, string source, ICollection<string> problems)
    {
        var before = problems.Count;
        void Problem(string text) => problems.Add($"{source}: {text}");
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(manifestText) as JsonObject ?? throw new JsonException("it is not a JSON object");
        }
        catch (JsonException e)
        {
            Problem($"not a JSON manifest ({e.Message})");
            return null;
        }
        if (Text(manifest, "format") != Format) Problem($"'format' must be \"{Format}\"");
        var model = Text(manifest, "model");
        if (string.IsNullOrWhiteSpace(model)) Problem("'model' (the catalog model id it renders) is missing");
        var workflowFile = Text(manifest, "workflow");
        JsonObject? workflow = null;
        if (string.IsNullOrWhiteSpace(workflowFile)) Problem("'workflow' (the workflow file beside it) is missing");
        else if (readWorkflow(workflowFile) is not { } workflowText) Problem($"its workflow file {workflowFile} is not there");
        else
        {
            try
            {
                workflow = JsonNode.Parse(workflowText) as JsonObject ?? throw new JsonException("it is not a JSON object");
                foreach (var (id, node) in workflow)
                {
                    if (node?["class_type"] is not JsonValue || node["inputs"] is not JsonObject)
                        Problem($"node {id} of {workflowFile} lacks class_type or inputs (save the workflow with 'Export (API)')");
                }
            }
            catch (JsonException e)
            {
                Problem($"{workflowFile} is not JSON ({e.Message})");
            }
        }
        if (problems.Count > before || workflow is null) return null;

        bool NodeExists(string node, string where)
        {
            if (workflow.ContainsKey(node)) return true;
            Problem($"{where} names node {node}, which {workflowFile} does not have");
            return false;
        }
        List<InputTarget> Targets(JsonNode? list, string where)
        {
            var targets = new List<InputTarget>();
            if (list is not JsonArray array)
            {
                Problem($"{where} must be a list of {{\"node\", \"input\"}}");
                return targets;
            }
            foreach (var item in array)
            {
                var target = new InputTarget(Text(item, "node") ?? "", Text(item, "input") ?? "");
                if (target.Input.Length == 0) Problem($"{where} has an entry without 'input'");
                else if (NodeExists(target.Node, where)) targets.Add(target);
            }
            return targets;
        }
        List<WiringChange> Changes(JsonNode? list, string where)
        {
            var changes = new List<WiringChange>();
            if (list is not JsonArray array)
            {
                Problem($"{where} must be a list of {{\"node\", \"input\", \"link\"}}");
                return changes;
            }
            foreach (var item in array)
            {
                var link = item?["link"] as JsonArray;
                if (link is not null && (!IsLink(link, out var from) || !NodeExists(from, where))) continue;
                var change = new WiringChange(Text(item, "node") ?? "", Text(item, "input") ?? "", link is null ? null : (JsonArray)link.DeepClone());
                if (change.Input.Length == 0) Problem($"{where} has an entry without 'input'");
                else if (NodeExists(change.Node, where)) changes.Add(change);
            }
            return changes;
        }

        var native = manifest["native"] as JsonObject;
        var fps = Integer(native, "fps");
        var maxFrames = Integer(native, "max_frames_per_pass");
        if (fps is not > 0) Problem("native.fps must be a positive whole number");
        if (maxFrames is not > 0) Problem("native.max_frames_per_pass must be a positive whole number");
        var rule = Text(native, "frames_rule") ?? "4n+1";
        if (rule is not ("4n+1" or "any")) Problem($"native.frames_rule is '{rule}'; it must be 4n+1 or any");
        var sizes = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        if (native?["sizes"] is JsonObject sizeList)
        {
            foreach (var (aspect, size) in sizeList)
            {
                if (size is JsonArray { Count: 2 } pair && Integer(pair[0]) is > 0 and var w && Integer(pair[1]) is > 0 and var h) sizes[aspect] = (w, h);
                else Problem($"native.sizes.{aspect} must be [width, height]");
            }
        }
        if (sizes.Count == 0) Problem("native.sizes must give [width, height] for each aspect ratio");

        var bindings = new Dictionary<string, IReadOnlyList<InputTarget>>(StringComparer.Ordinal);
        if (manifest["bindings"] is JsonObject bindingList)
            foreach (var (name, list) in bindingList) bindings[name] = Targets(list, $"bindings.{name}");
        foreach (var name in RequiredBindings.Where(n => !bindings.ContainsKey(n))) Problem($"bindings.{name} is missing");

        var references = manifest["references"] as JsonObject;
        var maxReferences = Integer(references, "max") ?? -1;
        if (maxReferences < 0) Problem("references.max must be a whole number");
        var slots = Targets(references?["slots"], "references.slots");
        if (maxReferences >= 0 && slots.Count != maxReferences) Problem($"references.slots must list {maxReferences} inputs (references.max)");
        var wiring = new Dictionary<int, IReadOnlyList<WiringChange>>();
        for (var k = 0; k <= maxReferences; k++)
        {
            var key = k.ToString(CultureInfo.InvariantCulture);
            if (references?["wiring"]?[key] is { } changes) wiring[k] = Changes(changes, $"references.wiring.{key}");
            else Problem($"references.wiring.{key} (the wiring for {k} references) is missing");
        }

        Continuation? continuation = null;
        if (manifest["continuation"] is JsonObject c)
        {
            continuation = new Continuation(Targets(c["video"], "continuation.video"), Targets(c["frames"], "continuation.frames"),
                Integer(c, "recommended_frames") ?? 9, Changes(c["unused_wiring"] ?? new JsonArray(), "continuation.unused_wiring"));
            if (continuation.RecommendedFrames < 1) Problem("continuation.recommended_frames must be at least 1");
        }
        else if (manifest["continuation"] is not null and not JsonValue) Problem("continuation must be an object or null");

        var output = manifest["output"] as JsonObject;
        var outputNode = Text(output, "node") ?? "";
        if (outputNode.Length == 0) Problem("output.node is missing");
        else NodeExists(outputNode, "output.node");
        var outputKey = Text(output, "ui_key") ?? "images";

        var classes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, node) in workflow) classes.Add(node!["class_type"]!.ToString());
        if (manifest["requires"]?["node_classes"] is JsonArray listed)
            foreach (var cls in listed) if (cls is JsonValue v && v.TryGetValue<string>(out var name)) classes.Add(name);
        var files = new List<ModelFile>();
        if (manifest["requires"]?["model_files"] is JsonArray modelFiles)
        {
            foreach (var f in modelFiles)
            {
                var file = new ModelFile(Text(f, "node") ?? "", Text(f, "input") ?? "", Text(f, "folder") ?? "", Text(f, "file") ?? "", Text(f, "source"));
                if (file.File.Length == 0 || file.Folder.Length == 0 || file.Input.Length == 0) Problem("requires.model_files entries need node, input, folder and file");
                else if (NodeExists(file.Node, "requires.model_files")) files.Add(file);
            }
        }

        if (problems.Count > before) return null;
        return new WorkflowTemplate(model!, source, workflow, fps!.Value, maxFrames!.Value, rule == "4n+1", sizes, bindings, maxReferences, slots, wiring,
            continuation, outputNode, outputKey, [.. classes], files);
    }

    private static string? Text(JsonNode? node, string key) => node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Integer(JsonNode? node, string key) => Integer(node?[key]);

    private static int? Integer(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : null;
}
