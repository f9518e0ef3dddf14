using System.Text;
using System.Text.Json.Nodes;
using Paddock.Engines.Upstream.Tests.Support;

namespace Paddock.Engines.Upstream.Tests;

/// <summary>Two real Paddocks chained over HTTP: A's model is rendered by B's built-in engine through A's upstream backend.</summary>
public sealed class ChainedPaddockTests
{
    /// <summary>The phases a generation on A goes through, in order (quick ones may not be seen).</summary>
    private static readonly string[] PhaseOrder =
        ["starting", "fetching_references", "rendering", "uploading_references", "submitting", "queued", "generating", "downloading", "conforming", "storing"];

    [Fact]
    public async Task A_request_on_A_is_rendered_by_B_with_its_references_uploaded_there()
    {
        await using var chain = await Chain.StartAsync();
        var logs = new LogCapture();
        await using var a = await chain.StartDownstreamAsync(logs);

        // Image 1 inline, Image 2 a file on A itself: neither is reachable by B, so both must travel as bytes.
        var fox = Chain.FoxPng();
        var owl = Chain.OwlPng();
        var owlOnA = await Wire.UploadAsync(a.Client, a.BaseUrl, "assets", "owl.png", owl);
        const string prompt = "Image 1 walks through a garden and meets Image 2, cinematic lighting.";
        var id = await Wire.EnqueueAsync(a.Client, new
        {
            model = Chain.Model, prompt, reference_images = new[] { Chain.DataUrl(fox), owlOnA },
            aspect_ratio = "16:9", resolution = "720P", duration = 3, seed = 7,
        });

        var row = await Wire.WaitTerminalAsync(a.Client, id);
        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        var video = Path.Combine(a.DataDirectory, "downloaded.mp4");
        await File.WriteAllBytesAsync(video, await Wire.DownloadAsync(row["result_url"]!.GetValue<string>()));
        var facts = await Ffprobe.InspectAsync(video);
        Assert.Equal(("h264", "yuv420p", 1280, 720, "24/1", 72), (facts.Codec, facts.PixelFormat, facts.Width, facts.Height, facts.FrameRate, facts.Frames));
        Assert.True(facts.FastStart);

        // B made exactly one generation, the one A recorded, with the same request and the two images on B's file routes.
        var onB = (await Wire.AllRowsAsync(chain.B.Client)).Where(r => r["prompt"]?.GetValue<string>() == prompt).ToList();
        var upstream = Assert.Single(onB);
        Assert.Equal("b", row["remote"]!["backend"]!.GetValue<string>());
        Assert.Equal(upstream["generation_id"]!.GetValue<string>(), row["remote"]!["id"]!.GetValue<string>());
        Assert.Equal("succeeded", Wire.Status(upstream));
        Assert.Equal(("16:9", "720P", 3, 7), (upstream["aspect_ratio"]!.GetValue<string>(), upstream["resolution"]!.GetValue<string>(),
            upstream["duration"]!.GetValue<int>(), upstream["seed"]!.GetValue<int>()));
        var references = upstream["reference_images"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(2, references.Count);
        var expected = new[] { fox, owl };
        for (var i = 0; i < 2; i++)
        {
            Assert.StartsWith($"{chain.B.BaseUrl}/api/repos/default/paddock-references/file/main/references/", references[i]);
            Assert.Equal(expected[i], await chain.B.Client.GetByteArrayAsync(references[i]));
        }

        // A's event stream told the story in order: started, the phases forward only, percent never back within one, the end.
        var (events, rawEvents) = await Wire.ReplayUntilEndOfAsync(a.Client, id);
        var mine = events.Where(e => e.Data["generation_id"]?.GetValue<string>() == id).ToList();
        Assert.Equal("media_generation_started", mine[0].Type);
        Assert.Equal("media_generation_completed", mine[^1].Type);
        Assert.Equal("succeeded", mine[^1].Data["status"]!.GetValue<string>());
        var progress = mine.Where(e => e.Type == "media_generation_progress")
            .Select(e => (Phase: e.Data["phase"]!.GetValue<string>(), Percent: e.Data["percent"]!.GetValue<int>())).ToList();
        Assert.Contains(progress, p => p.Phase == "generating");
        for (var i = 1; i < progress.Count; i++)
        {
            var (before, now) = (Array.IndexOf(PhaseOrder, progress[i - 1].Phase), Array.IndexOf(PhaseOrder, progress[i].Phase));
            Assert.True(now >= 0 && before <= now, $"phase {progress[i].Phase} after {progress[i - 1].Phase}: {string.Join(", ", progress)}");
            if (before == now) Assert.True(progress[i].Percent >= progress[i - 1].Percent, string.Join(", ", progress));
        }

        // The model detail says who renders it; nothing A shows or keeps holds B's key.
        var model = JsonNode.Parse(await a.Client.GetStringAsync($"api/ai/models/{Chain.Model}"))!;
        Assert.Equal("upstream", model["engine"]!["type"]!.GetValue<string>());
        var shown = new StringBuilder()
            .Append(model.ToJsonString())
            .Append(await a.Client.GetStringAsync($"api/ai/queue/{id}"))
            .Append(await a.Client.GetStringAsync("api/ai/generations?page=1&page_size=100"))
            .Append(await a.Client.GetStringAsync("api/ai/models"))
            .Append(await a.Client.GetStringAsync("api/health"))
            .Append(rawEvents)
            .ToString();
        AssertKeyNowhere(chain.B.ApiKey, shown, logs, a.DataDirectory);
        Assert.Contains(logs.Lines, l => l.Contains($"submitted to {chain.B.BaseUrl}", StringComparison.Ordinal)); // the logs were captured
    }

    [Fact]
    public async Task A_cancel_on_A_cancels_the_generation_on_B()
    {
        await using var chain = await Chain.StartAsync();
        await using var a = await chain.StartDownstreamAsync(new LogCapture());
        // A long render, so B is still at it when the cancel comes (it stops within a second, so the length costs nothing).
        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 dances in the rain, a long take.", resolution = "1080P", duration = 15 });
        var recorded = await Wire.WaitForAsync(a.Client, id, r => r["remote"]?["id"] is not null, TimeSpan.FromMinutes(1), "recorded its upstream generation");
        var upstreamId = recorded["remote"]!["id"]!.GetValue<string>();
        await Wire.WaitForAsync(chain.B.Client, upstreamId, r => Wire.Status(r) == "processing", TimeSpan.FromMinutes(1), "started on B");

        using (var cancel = await a.Client.DeleteAsync($"api/ai/queue/{id}"))
            Assert.True(cancel.IsSuccessStatusCode);

        var onB = await Wire.WaitForAsync(chain.B.Client, upstreamId, r => Wire.Status(r) != "processing", TimeSpan.FromSeconds(30), "stopped on B");
        Assert.Equal("cancelled", Wire.Status(onB));
        var row = await Wire.WaitForAsync(a.Client, id, r => r["remote"]?["cancel"]?.GetValue<string>() is "cancelled" or "refused", TimeSpan.FromSeconds(30), "recorded the remote cancel");
        Assert.Equal("cancelled", Wire.Status(row));
        Assert.Equal("cancelled", row["remote"]!["cancel"]!.GetValue<string>());
        Assert.Contains($"cancelled on {chain.B.BaseUrl} too", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(await Wire.AllRowsAsync(chain.B.Client));
    }

    [Fact]
    public async Task A_generation_B_fails_fails_on_A_with_B_s_message_and_kind_without_a_retry()
    {
        // B refuses references on loopback addresses (A allows them, and passes URLs on that host to B as they are, as
        // it would for an image server both can reach): B's worker refuses the image and fails its generation.
        await using var images = await ImageHost.StartAsync();
        var url = images.Add("/shared/fox.png", Chain.FoxPng());
        await using var chain = await Chain.StartAsync(new Dictionary<string, string> { ["Paddock:References:AllowedHosts:0"] = "images.example" });
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), new Dictionary<string, string> { ["Paddock:Backends:b:SharedHosts:0"] = "127.0.0.1" });

        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 runs along the beach.", reference_images = new[] { url }, resolution = "720P", duration = 3 });
        var row = await Wire.WaitTerminalAsync(a.Client, id);

        var upstream = Assert.Single(await Wire.AllRowsAsync(chain.B.Client));
        Assert.Equal("failed", Wire.Status(upstream));
        Assert.Equal(url, upstream["reference_images"]![0]!.GetValue<string>());
        Assert.Equal("invalid_input", upstream["error_type"]!.GetValue<string>());
        Assert.Equal("failed", Wire.Status(row));
        Assert.Equal("invalid_input", row["error_type"]!.GetValue<string>());
        Assert.Equal(upstream["error_message"]!.GetValue<string>(), row["error_message"]!.GetValue<string>());
        Assert.StartsWith("reference_images[0]: ", row["error_message"]!.GetValue<string>());
        Assert.Equal(1, row["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_request_B_refuses_at_submission_fails_on_A_with_B_s_detail()
    {
        // A's reference-to-video model is sent to B's text-to-video one, which takes no reference images: B answers 400.
        await using var chain = await Chain.StartAsync();
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), new Dictionary<string, string> { [$"Paddock:Backends:b:Models:{Chain.Model}"] = "happyhorse-1.0-t2v" });

        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 spins.", reference_images = new[] { Chain.DataUrl(Chain.FoxPng()) }, resolution = "720P", duration = 3 });
        var row = await Wire.WaitTerminalAsync(a.Client, id);

        Assert.Equal("failed", Wire.Status(row));
        Assert.Equal("invalid_input", row["error_type"]!.GetValue<string>());
        Assert.Contains("reference_images", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await Wire.AllRowsAsync(chain.B.Client));
    }

    [Fact]
    public async Task While_B_is_down_A_keeps_requests_queued_saying_why_and_a_sync_request_answers_503_at_once()
    {
        await using var chain = await Chain.StartAsync();
        var closed = FreeLoopbackUrl();
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), baseUrl: closed);

        var backend = await BackendCheckedAsync(a);
        Assert.Equal("unavailable", backend["state"]!.GetValue<string>());
        Assert.Contains($"{closed} could not be reached", backend["problem"]!.GetValue<string>(), StringComparison.Ordinal);

        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 waits for the upstream.", resolution = "720P", duration = 3 });
        await Task.Delay(1500); // workers would have claimed it by now if they were going to
        var row = await Wire.GetRowAsync(a.Client, id);
        Assert.Equal("queued", Wire.Status(row));
        Assert.Contains("backend 'b' is unavailable", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("could not be reached", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var quick = new HttpClient { BaseAddress = new Uri(a.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(20) };
        quick.DefaultRequestHeaders.Authorization = new("Bearer", a.ApiKey);
        var (status, body) = await Wire.PostJsonAsync(quick, "api/ai/videos/generate", new { model = Chain.Model, prompt = "Image 1 is in a hurry.", resolution = "720P", duration = 3 });
        Assert.Equal(503, status);
        Assert.Contains("could not be reached", body!["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_video_made_through_As_openai_face_reaches_B_with_only_the_models_own_fields()
    {
        await using var chain = await Chain.StartAsync();
        await using var a = await chain.StartDownstreamAsync(new LogCapture());

        // The OpenAI face records what it was asked (size) on the row; B's schema takes no such field, so it must not travel.
        var (status, created) = await Wire.PostJsonAsync(a.Client, "v1/videos", new { model = Chain.Model, prompt = "A fox trots", size = "720x1280", seconds = "3" });
        Assert.True(status == 200, created?.ToJsonString());
        var id = created!["id"]!.GetValue<string>();
        var row = await Wire.WaitTerminalAsync(a.Client, id);
        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        Assert.Equal("720x1280", row["openai"]!["size"]!.GetValue<string>());

        var upstream = Assert.Single(await Wire.AllRowsAsync(chain.B.Client), r => r["prompt"]?.GetValue<string>() == "A fox trots");
        Assert.Null(upstream["openai"]);
        Assert.Equal(("9:16", "720P", 3), (upstream["aspect_ratio"]!.GetValue<string>(), upstream["resolution"]!.GetValue<string>(), upstream["duration"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Health_names_the_missing_model_and_the_key_setting_but_never_the_key()
    {
        await using var chain = await Chain.StartAsync();

        // A model B does not have.
        var logs = new LogCapture();
        await using (var a = await chain.StartDownstreamAsync(logs, new Dictionary<string, string> { [$"Paddock:Backends:b:Models:{Chain.Model}"] = "no-such-model" }))
        {
            await BackendCheckedAsync(a);
            var model = JsonNode.Parse(await a.Client.GetStringAsync($"api/ai/models/{Chain.Model}"))!;
            Assert.False(model["engine"]!["available"]!.GetValue<bool>());
            var problem = model["engine"]!["problem"]!.GetValue<string>();
            Assert.Contains($"{chain.B.BaseUrl} has no model 'no-such-model'", problem, StringComparison.Ordinal);
            Assert.Contains($"Paddock:Backends:b:Models:{Chain.Model}", problem, StringComparison.Ordinal);
        }

        // A key B does not know.
        const string wrongKey = "pdk_this-is-not-a-key-of-b-1234567890";
        var wrong = "PADDOCK_TEST_WRONG_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(wrong, wrongKey);
        try
        {
            logs = new LogCapture();
            await using var a = await chain.StartDownstreamAsync(logs, new Dictionary<string, string> { ["Paddock:Backends:b:ApiKeyVariable"] = wrong });
            var health = (await BackendCheckedAsync(a)).ToJsonString();
            var model = await a.Client.GetStringAsync($"api/ai/models/{Chain.Model}");
            Assert.Contains($"refused the key in the environment variable {wrong} (Paddock:Backends:b:ApiKeyVariable)", health, StringComparison.Ordinal);
            Assert.Contains("HTTP 401", health, StringComparison.Ordinal);
            AssertKeyNowhere(wrongKey, health + model, logs, a.DataDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(wrong, null);
        }
    }

    /// <summary>Backend b's entry of A's <c>/api/health</c> once its first check has run.</summary>
    private static async Task<JsonNode> BackendCheckedAsync(PaddockHost a)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var health = JsonNode.Parse(await a.Client.GetStringAsync("api/health"))!;
            var backend = health["backends"]!.AsArray().Single(b => b!["name"]!.GetValue<string>() == "b")!;
            if (backend["checked_at"] is not null) return backend;
            Assert.True(DateTime.UtcNow < deadline, "backend b was never checked");
            await Task.Delay(50);
        }
    }

    /// <summary>The key is in none of the answers, log lines or files of A.</summary>
    internal static void AssertKeyNowhere(string key, string answers, LogCapture logs, string dataDirectory)
    {
        Assert.DoesNotContain(key, answers, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(key, StringComparison.Ordinal));
        var needle = Encoding.UTF8.GetBytes(key);
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(file); }
            catch (IOException) { continue; }
            Assert.False(bytes.AsSpan().IndexOf(needle) >= 0, $"the key is in {Path.GetRelativePath(dataDirectory, file)}");
        }
    }

    private static string FreeLoopbackUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
