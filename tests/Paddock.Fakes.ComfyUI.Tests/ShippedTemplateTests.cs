using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Models;
using Paddock.Core.Validation;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Tests.Support;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>
/// The shipped workflow templates, manifests and catalog documents agree with each other and with the node
/// classes a ComfyUI server describes (the fake's /object_info, transcribed from ComfyUI's node sources).
/// </summary>
public sealed class ShippedTemplateTests
{
    public static TheoryData<string> Workflows => [.. ShippedWorkflow.Names];

    [Fact]
    public void Both_open_weight_families_are_shipped()
    {
        Assert.Equal(["phantom-wan-r2v", "wan2.1-vace-r2v"], ShippedWorkflow.Names);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task The_manifest_names_exactly_the_classes_and_model_files_the_template_uses_and_the_server_offers_them(string name)
    {
        var shipped = ShippedWorkflow.Load(name);
        var requires = shipped.Manifest["requires"]!;
        var classes = shipped.Workflow.Select(n => n.Value!["class_type"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(classes, requires["node_classes"]!.AsArray().Select(c => c!.GetValue<string>()));

        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var objectInfo = await http.GetJsonAsync("/object_info");
        foreach (var cls in classes) Assert.True(objectInfo[cls] is JsonObject, $"/object_info lacks {cls}");
        foreach (var file in requires["model_files"]!.AsArray())
        {
            var node = file!["node"]!.GetValue<string>();
            var input = file["input"]!.GetValue<string>();
            Assert.Equal(file["file"]!.GetValue<string>(), shipped.Workflow[node]!["inputs"]![input]!.GetValue<string>());
            var choices = objectInfo[shipped.Workflow[node]!["class_type"]!.GetValue<string>()]!["input"]!["required"]![input]![0]!.AsArray();
            Assert.Contains(file["file"]!.GetValue<string>(), choices.Select(c => c!.GetValue<string>()));
            var folder = await http.GetJsonAsync($"/models/{file["folder"]!.GetValue<string>()}");
            Assert.Contains(file["file"]!.GetValue<string>(), folder.AsArray().Select(c => c!.GetValue<string>()));
        }

        // Every place the manifest writes to is an input the node class really has.
        var targets = shipped.Manifest["bindings"]!.AsObject().SelectMany(b => b.Value!.AsArray())
            .Concat(shipped.Manifest["references"]!["slots"]!.AsArray())
            .Concat(shipped.Manifest["continuation"] is JsonObject c ? c["video"]!.AsArray().Concat(c["frames"]!.AsArray()) : []);
        foreach (var target in targets)
        {
            var node = shipped.Workflow[target!["node"]!.GetValue<string>()];
            Assert.NotNull(node);
            var input = target["input"]!.GetValue<string>();
            var spec = objectInfo[node!["class_type"]!.GetValue<string>()]!["input"]!;
            Assert.True(spec["required"]?[input] is not null || spec["optional"]?[input] is not null, $"{node["class_type"]} has no input {input}");
        }
        foreach (var size in shipped.Manifest["native"]!["sizes"]!.AsObject())
            Assert.All(size.Value!.AsArray(), d => Assert.Equal(0, d!.GetValue<int>() % 16));
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task Filled_for_every_reference_count_the_template_validates_and_runs(string name)
    {
        var shipped = ShippedWorkflow.Load(name);
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.Zero, Steps = 1 });
        using var http = new ComfyHttp(fake.BaseUri);
        var references = await TestKit.UploadReferencesAsync(http, shipped.MaxReferences);
        var passes = Enumerable.Range(0, shipped.MaxReferences + 1)
            .Select(k => new PassRequest($"pass with {k} references", k, 64, 48, 5, references.Take(k).ToList())).ToList();
        if (shipped.Manifest["continuation"] is JsonObject)
        {
            var tail = await http.UploadAsync(await TestMedia.TailClipAsync(9), "tail.mp4");
            passes.Add(new PassRequest("continued", 9, 64, 48, 5, references.Take(1).ToList(), tail["name"]!.GetValue<string>(), 9));
        }

        foreach (var pass in passes)
        {
            var graph = shipped.Fill(pass);
            Assert.Equal(pass.References.Count, graph.Count(n => n.Value!["class_type"]!.GetValue<string>() == "LoadImage"));
            Assert.Equal(pass.ContinuationVideo is not null, graph.Any(n => n.Value!["class_type"]!.GetValue<string>() == "LoadVideo"));
            var promptId = TestKit.NewPromptId();
            var (status, body) = await http.QueueAsync(graph, null, promptId);
            Assert.True(status == 200, $"{name} with {pass.References.Count} references: {body?.ToJsonString()}");
            Assert.Empty(body!["node_errors"]!.AsObject());
            var history = await http.WaitForHistoryAsync(promptId);
            Assert.Equal("success", history["status"]!["status_str"]!.GetValue<string>());
            Assert.NotNull(history["outputs"]![shipped.OutputNode]!["images"]![0]!["filename"]);
        }
        Assert.Equal(passes.Count, fake.Log.Finished.Count(f => f.Outcome == PromptOutcome.Success));
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void The_catalog_document_states_the_limits_its_workflow_has(string name)
    {
        var shipped = ShippedWorkflow.Load(name);
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shipped", "Models", $"{name}.json")))!.AsObject();
        var model = ModelCatalog.Parse(doc);
        Assert.Equal("comfyui", model.Engine);
        var properties = model.RequestSchema["properties"]!;
        Assert.Equal(shipped.MaxReferences, properties["reference_images"]!["maxItems"]!.GetValue<int>());
        foreach (var aspect in properties["aspect_ratio"]!["enum"]!.AsArray())
            Assert.NotNull(shipped.Manifest["native"]!["sizes"]![aspect!.GetValue<string>()]);
        var maxSeconds = properties["duration"]!["maximum"]!.GetValue<int>();
        if (shipped.Manifest["continuation"] is null)
        {
            // One pass only: the longest duration offered must fit in one pass at the native frame rate.
            var frames = shipped.Manifest["native"]!["max_frames_per_pass"]!.GetValue<int>();
            Assert.True(maxSeconds * shipped.NativeFps <= frames, $"{name}: {maxSeconds} s does not fit in {frames} frames");
        }
    }

    [Fact]
    public void A_request_beyond_an_engines_limits_is_refused_naming_the_field()
    {
        var catalog = new ModelCatalog(ShippedWorkflow.Names.Select(n =>
            ModelCatalog.Parse(JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shipped", "Models", $"{n}.json")))!.AsObject())));
        RequestRejection? Check(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return RequestValidator.Validate(doc.RootElement, catalog, SubmissionKind.Queue, out _);
        }
        const string refs5 = """["https://e.com/1.png","https://e.com/2.png","https://e.com/3.png","https://e.com/4.png","https://e.com/5.png"]""";

        var five = Check($$"""{"model": "phantom-wan-r2v", "prompt": "Image 1 and Image 2 talk", "reference_images": {{refs5}}}""");
        Assert.Contains(five!.Problems, p => p.StartsWith("reference_images", StringComparison.Ordinal));
        var long_ = Check("""{"model": "phantom-wan-r2v", "prompt": "a cat", "duration": 6}""");
        Assert.Contains(long_!.Problems, p => p.StartsWith("duration", StringComparison.Ordinal));
        var hd = Check("""{"model": "wan2.1-vace-r2v", "prompt": "a cat", "resolution": "1080P"}""");
        Assert.Contains(hd!.Problems, p => p.StartsWith("resolution", StringComparison.Ordinal));
        Assert.Null(Check("""{"model": "phantom-wan-r2v", "prompt": "Image 1 meets Image 4", "duration": 5, "reference_images": ["https://e.com/1.png","https://e.com/2.png","https://e.com/3.png","https://e.com/4.png"]}"""));
        Assert.Null(Check("""{"model": "wan2.1-vace-r2v", "prompt": "Image 1 walks", "duration": 15, "aspect_ratio": "9:16", "reference_images": ["https://e.com/1.png"]}"""));
    }
}
