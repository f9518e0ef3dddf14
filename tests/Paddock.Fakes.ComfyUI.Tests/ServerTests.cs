using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Tests.Support;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>Uploads, /view, the info routes, previews and start-up behaviour.</summary>
public sealed class ServerTests
{
    [Fact]
    public async Task Uploads_keep_same_bytes_under_one_name_rename_different_bytes_and_refuse_paths_out_of_the_folder()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var red = await TestMedia.PngAsync("red");
        var blue = await TestMedia.PngAsync("blue");

        var first = await http.UploadAsync(red, "ref.png");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name": "ref.png", "subfolder": "", "type": "input"}"""), first));
        Assert.Equal("ref.png", (await http.UploadAsync(red, "ref.png"))["name"]!.GetValue<string>());
        Assert.Equal("ref (1).png", (await http.UploadAsync(blue, "ref.png"))["name"]!.GetValue<string>());
        Assert.Equal("ref.png", (await http.UploadAsync(blue, "ref.png", overwrite: true))["name"]!.GetValue<string>());
        Assert.Equal(blue, await File.ReadAllBytesAsync(Path.Combine(fake.InputDirectory, "ref.png")));
        var nested = await http.UploadAsync(red, "deep.png", subfolder: "paddock");
        Assert.Equal("paddock", nested["subfolder"]!.GetValue<string>());

        // LoadImage lists the top-level images; a file in a subfolder is loaded as "paddock/deep.png".
        var options = (await http.GetJsonAsync("/object_info/LoadImage"))["LoadImage"]!["input"]!["required"]!["image"]![0]!.AsArray();
        Assert.Equal(["ref (1).png", "ref.png"], options.Select(o => o!.GetValue<string>()));

        using var escape = new MultipartFormDataContent { { new ByteArrayContent(red), "image", "../escape.png" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.Http.PostAsync("/upload/image", escape)).StatusCode);
        using var noFile = new MultipartFormDataContent { { new StringContent("input"), "type" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.Http.PostAsync("/upload/image", noFile)).StatusCode);

        fake.Options.MaxUploadBytes = 100;
        using var big = new MultipartFormDataContent { { new ByteArrayContent(red), "image", "big.png" } };
        var tooBig = await http.Http.PostAsync("/upload/image", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.StartsWith("Maximum request body size 100 exceeded", await tooBig.Content.ReadAsStringAsync());
        fake.Options.MaxUploadBytes = 1 << 20;
        fake.Options.RefuseUploads = true;
        using var refused = new MultipartFormDataContent { { new ByteArrayContent(red), "image", "x.png" } };
        Assert.Equal(HttpStatusCode.InternalServerError, (await http.Http.PostAsync("/upload/image", refused)).StatusCode);
        Assert.Equal(5, fake.Log.Uploads.Count);
    }

    [Fact]
    public async Task View_serves_files_by_type_and_subfolder_and_refuses_ways_out()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var png = await TestMedia.PngAsync("green");
        await http.UploadAsync(png, "seen.png", subfolder: "a");

        using var ok = await http.Http.GetAsync("/view?filename=seen.png&subfolder=a&type=input");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("image/png", ok.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await ok.Content.ReadAsByteArrayAsync());
        using var ranged = new HttpRequestMessage(HttpMethod.Get, "/view?filename=seen.png&subfolder=a&type=input");
        ranged.Headers.Range = new RangeHeaderValue(0, 9);
        using var part = await http.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(10, (await part.Content.ReadAsByteArrayAsync()).Length);

        Assert.Equal(HttpStatusCode.NotFound, (await http.Http.GetAsync("/view?filename=seen.png&subfolder=a")).StatusCode);  // type defaults to output
        Assert.Equal(HttpStatusCode.NotFound, (await http.Http.GetAsync("/view")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.Http.GetAsync("/view?filename=../x.png")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.Http.GetAsync("/view?filename=x.png&type=models")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.Http.GetAsync("/view?filename=x.png&subfolder=../../etc")).StatusCode);
    }

    [Fact]
    public async Task Info_routes_answer_on_both_paths_in_the_real_shapes()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions());
        using var http = new ComfyHttp(fake.BaseUri);
        var stats = await http.GetJsonAsync("/system_stats");
        Assert.Equal("0.38.1", stats["system"]!["comfyui_version"]!.GetValue<string>());
        Assert.Equal("cuda", stats["devices"]![0]!["type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(stats["system"]!["comfyui_version"], (await http.GetJsonAsync("/api/system_stats"))["system"]!["comfyui_version"]));
        Assert.Equal(0, (await http.GetJsonAsync("/prompt"))["exec_info"]!["queue_remaining"]!.GetValue<int>());
        var queue = await http.GetJsonAsync("/api/queue");
        Assert.Empty(queue["queue_running"]!.AsArray());
        Assert.Empty(queue["queue_pending"]!.AsArray());
        Assert.Empty((await http.GetJsonAsync("/history")).AsObject());
        Assert.Empty((await http.GetJsonAsync($"/history/{TestKit.NewPromptId()}")).AsObject());
        Assert.Equal(["wan_2.1_vae.safetensors"], (await http.GetJsonAsync("/models/vae")).AsArray().Select(f => f!.GetValue<string>()));

        var sampler = (await http.GetJsonAsync("/object_info/KSampler"))["KSampler"]!;
        Assert.Equal(["LATENT"], sampler["output"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Contains("uni_pc", sampler["input"]!["required"]!["sampler_name"]![0]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Null(sampler["x-fake"]);
        var vae = (await http.GetJsonAsync("/object_info"))["VAELoader"]!["input"]!["required"]!["vae_name"]![0]!.AsArray();
        Assert.Equal(["wan_2.1_vae.safetensors", "pixel_space"], vae.Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Previews_come_as_binary_frames_only_when_the_server_is_started_with_a_preview_method()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromMilliseconds(300), Steps = 2, PreviewMethod = "auto" });
        using var http = new ComfyHttp(fake.BaseUri);
        var graph = ShippedWorkflow.Load("phantom-wan-r2v").Fill(new PassRequest("a bird", 1, 64, 64, 5, []));
        await using var plain = await ComfySocket.ConnectAsync(fake.BaseUri, "plain");
        await using var modern = await ComfySocket.ConnectAsync(fake.BaseUri, "modern");
        await modern.SendTextAsync("""{"type": "feature_flags", "data": {"supports_preview_metadata": true}}""");
        var flags = (await modern.UntilAsync(m => m.Type == "feature_flags"))[^1];
        Assert.True(flags.Data!["supports_preview_metadata"]!.GetValue<bool>());

        var first = TestKit.NewPromptId();
        await http.QueueAsync(graph, "plain", first);
        var binary = (await plain.UntilPromptEndsAsync(first)).Where(m => m.Binary is not null).ToList();
        Assert.Equal(2, binary.Count);
        Assert.All(binary, b =>
        {
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(b.Binary));      // PREVIEW_IMAGE
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(b.Binary.AsSpan(4)));  // JPEG
            Assert.Equal(0xFF, b.Binary![8]);
            Assert.Equal(0xD8, b.Binary[9]);
        });

        graph["31"]!["inputs"]!["seed"] = 2;
        var second = TestKit.NewPromptId();
        await http.QueueAsync(graph, "modern", second);
        var withMetadata = (await modern.UntilPromptEndsAsync(second)).Where(m => m.Binary is not null).ToList();
        Assert.Equal(2, withMetadata.Count);
        var frame = withMetadata[0].Binary!;
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32BigEndian(frame));  // PREVIEW_IMAGE_WITH_METADATA
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4));
        var metadata = JsonNode.Parse(frame.AsSpan(8, length))!;
        Assert.Equal(second, metadata["prompt_id"]!.GetValue<string>());
        Assert.Equal("31", metadata["node_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_slow_start_refuses_connections_until_the_server_is_up_and_a_restart_forgets_the_queue()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { StartupDelay = TimeSpan.FromMilliseconds(1000), TaskTime = TimeSpan.FromSeconds(30), Steps = 30 });
        using var http = new ComfyHttp(fake.BaseUri);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.Http.GetAsync("/system_stats"));
        await fake.Ready;
        Assert.NotNull(await http.GetJsonAsync("/system_stats"));

        var graph = ShippedWorkflow.Load("phantom-wan-r2v").Fill(new PassRequest("a bird", 1, 64, 64, 5, []));
        var promptId = TestKit.NewPromptId();
        await http.QueueAsync(graph, null, promptId);
        await TestKit.WaitUntilAsync(() => fake.Log.Requests.Count > 0, "the request log");
        fake.Options.StartupDelay = TimeSpan.Zero;
        await fake.RestartAsync();
        Assert.Empty((await http.GetJsonAsync("/queue"))["queue_running"]!.AsArray());
        Assert.Empty((await http.GetJsonAsync($"/history/{promptId}")).AsObject());
    }

    [Fact]
    public async Task An_unresponsive_server_holds_requests_without_answering()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { Unresponsive = true });
        using (var impatient = new HttpClient { BaseAddress = fake.BaseUri, Timeout = TimeSpan.FromMilliseconds(500) })
            await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetAsync("/system_stats"));
        fake.Options.Unresponsive = false;
        using var http = new HttpClient { BaseAddress = fake.BaseUri };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/system_stats")).StatusCode);
    }
}
