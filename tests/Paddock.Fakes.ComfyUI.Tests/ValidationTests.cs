using System.Net;
using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Tests.Support;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>What POST /prompt refuses, with the bodies a real server sends.</summary>
public sealed class ValidationTests
{
    private static async Task<JsonObject> VaceGraphAsync(ComfyHttp http, int references = 1) =>
        ShippedWorkflow.Load("wan2.1-vace-r2v").Fill(new PassRequest("Image 1 waves", 5, 128, 96, 9, await TestKit.UploadReferencesAsync(http, references)));

    [Fact]
    public async Task A_node_class_the_server_lacks_is_missing_node_type_and_nothing_is_queued()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = await VaceGraphAsync(http);
        fake.Options.MissingNodeClasses.Add("WanVaceToVideo");

        Assert.Null((await http.GetJsonAsync("/object_info"))["WanVaceToVideo"]);
        Assert.Empty((await http.GetJsonAsync("/object_info/WanVaceToVideo")).AsObject());
        var (status, body) = await http.QueueAsync(graph, "c1");

        Assert.Equal(400, status);
        var expected = JsonNode.Parse("""
            {"error": {"type": "missing_node_type", "message": "Node 'WanVaceToVideo' not found. The custom node may not be installed.",
                       "details": "Node ID '#30'", "extra_info": {"node_id": "30", "class_type": "WanVaceToVideo", "node_title": "WanVaceToVideo"}},
             "node_errors": {}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, body), body!.ToJsonString());
        Assert.Empty(fake.Log.QueuedPrompts);
        Assert.Equal("missing_node_type", Assert.Single(fake.Log.PromptSubmissions).ErrorType);
    }

    [Fact]
    public async Task A_legacy_server_calls_a_missing_class_invalid_prompt_and_takes_any_prompt_id()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { Flavor = ComfyUIFlavor.Legacy, TaskTime = TimeSpan.Zero, Steps = 1 });
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = await VaceGraphAsync(http);
        Assert.Equal("0.3.64", (await http.GetJsonAsync("/system_stats"))["system"]!["comfyui_version"]!.GetValue<string>());

        var (status, body) = await http.QueueAsync(graph, "c1", "NOT-A-UUID");
        Assert.Equal(200, status);
        Assert.Equal("NOT-A-UUID", body!["prompt_id"]!.GetValue<string>());

        fake.Options.MissingNodeClasses.Add("KSampler");
        (status, body) = await http.QueueAsync(graph, "c1");
        Assert.Equal(400, status);
        Assert.Equal("invalid_prompt", body!["error"]!["type"]!.GetValue<string>());
        Assert.Equal("Cannot execute because node KSampler does not exist.", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_file_the_server_lacks_is_value_not_in_list_on_the_loader()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = await VaceGraphAsync(http);
        fake.Options.RemoveModelFile("wan2.1_vace_14B_fp16.safetensors");

        var listed = (await http.GetJsonAsync("/object_info/UNETLoader"))["UNETLoader"]!["input"]!["required"]!["unet_name"]![0]!.AsArray();
        Assert.Equal(["Phantom-Wan-14B_fp16.safetensors"], listed.Select(f => f!.GetValue<string>()));
        var (status, body) = await http.QueueAsync(graph, "c1");

        Assert.Equal(400, status);
        Assert.Equal("prompt_outputs_failed_validation", body!["error"]!["type"]!.GetValue<string>());
        Assert.Equal("Prompt outputs failed validation", body["error"]!["message"]!.GetValue<string>());
        var loader = body["node_errors"]!["1"]!;
        Assert.Equal("UNETLoader", loader["class_type"]!.GetValue<string>());
        Assert.Equal(["35"], loader["dependent_outputs"]!.AsArray().Select(o => o!.GetValue<string>()));
        var problem = Assert.Single(loader["errors"]!.AsArray())!;
        Assert.Equal("value_not_in_list", problem["type"]!.GetValue<string>());
        Assert.Equal("Value not in list", problem["message"]!.GetValue<string>());
        Assert.Equal("unet_name: 'wan2.1_vace_14B_fp16.safetensors' not in ['Phantom-Wan-14B_fp16.safetensors']", problem["details"]!.GetValue<string>());
        Assert.Equal("unet_name", problem["extra_info"]!["input_name"]!.GetValue<string>());
        Assert.Equal("wan2.1_vace_14B_fp16.safetensors", problem["extra_info"]!["received_value"]!.GetValue<string>());
        Assert.Single(body["node_errors"]!.AsObject());
    }

    [Fact]
    public async Task A_reference_never_uploaded_and_a_value_out_of_range_are_named_on_their_nodes()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = await VaceGraphAsync(http);
        graph["10"]!["inputs"]!["image"] = "never-uploaded.png";
        graph["30"]!["inputs"]!["width"] = 8;
        graph["31"]!["inputs"]!["steps"] = "twenty";

        var (status, body) = await http.QueueAsync(graph, "c1");
        Assert.Equal(400, status);
        var errors = body!["node_errors"]!.AsObject();
        Assert.Equal("custom_validation_failed", errors["10"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("image - Invalid image file: never-uploaded.png", errors["10"]!["errors"]![0]!["details"]!.GetValue<string>());
        Assert.Equal("value_smaller_than_min", errors["30"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Value 8 smaller than min of 16", errors["30"]!["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("invalid_input_type", errors["31"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("steps, twenty, invalid literal for int() with base 10: 'twenty'", errors["31"]!["errors"]![0]!["details"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_prompt_id_must_be_a_lowercase_uuid_and_a_reused_one_is_queued_again()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromMilliseconds(100), Steps = 1 });
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = await VaceGraphAsync(http);
        var id = TestKit.NewPromptId();

        var (status, body) = await http.QueueAsync(graph, "c1", id.ToUpperInvariant());
        Assert.Equal(400, status);
        var expected = JsonNode.Parse("""
            {"error": {"type": "invalid_prompt_id", "message": "prompt_id must be a valid UUID",
                       "details": "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one",
                       "extra_info": {}},
             "node_errors": {}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, body), body!.ToJsonString());

        // No 409: the server queues a reused id again, runs it again, and the newer run overwrites the history entry.
        (status, _) = await http.QueueAsync(graph, "c1", id);
        Assert.Equal(200, status);
        await http.WaitForHistoryAsync(id);
        graph["31"]!["inputs"]!["seed"] = 99;
        (status, _) = await http.QueueAsync(graph, "c1", id);
        Assert.Equal(200, status);
        await TestKit.WaitUntilAsync(() => fake.Log.Finished.Count(f => f.PromptId == id) == 2, "the second run");
        Assert.Equal(99, (await http.GetJsonAsync($"/history/{id}"))[id]!["prompt"]![2]!["31"]!["inputs"]!["seed"]!.GetValue<int>());
        Assert.Equal(2, fake.Log.QueuedPrompts.Count(p => p.PromptId == id));
    }

    [Fact]
    public async Task A_body_without_prompt_is_no_prompt_and_a_body_that_is_not_json_is_a_bare_500()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var (status, body) = await http.PostJsonAsync("/prompt", new JsonObject { ["client_id"] = "c1" });
        Assert.Equal(400, status);
        Assert.Equal("no_prompt", body!["error"]!["type"]!.GetValue<string>());

        using var broken = await http.Http.PostAsync("/api/prompt", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        Assert.StartsWith("500 Internal Server Error", await broken.Content.ReadAsStringAsync());
    }
}
