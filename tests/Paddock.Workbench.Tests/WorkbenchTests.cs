using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Paddock.Workbench.Tests.Support;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace Paddock.Workbench.Tests;

/// <summary>The workbench page in headless Chromium against a real server: what a user sees and does.</summary>
[Collection(WorkbenchCollection.Name)]
public sealed class WorkbenchTests(WorkbenchFixture fixture)
{
    private static readonly byte[] Reference = TestImages.Png(768, 512, new SKColor(0xE0, 0x7A, 0x2F), new SKColor(0x2E, 0x5E, 0x8C));

    private PaddockHost Server => fixture.Server;

    [Fact]
    public async Task A_user_fills_the_form_uploads_a_reference_runs_watches_progress_and_the_video_plays_for_the_requested_duration()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync();
        await wb.SelectModelAsync("happyhorse-1.0-r2v");

        // The form follows the schema: basic fields in x-order, seed tucked away, enums as choices, limits shown.
        var order = await page.Locator("#fields-basic > .field").EvaluateAllAsync<string[]>("fields => fields.map(f => f.dataset.field)");
        Assert.Equal(["prompt", "reference_images", "aspect_ratio", "resolution", "duration"], order);
        Assert.Equal(["seed"], await page.Locator("#fields-advanced > .field").EvaluateAllAsync<string[]>("fields => fields.map(f => f.dataset.field)"));
        var ratios = await page.GetByLabel("Aspect ratio").Locator("option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        Assert.Equal(["16:9", "9:16", "1:1", "4:3", "3:4"], ratios);
        var duration = page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true });
        await Expect(duration).ToHaveAttributeAsync("min", "3");
        await Expect(duration).ToHaveAttributeAsync("max", "15");
        await Expect(wb.Field("duration")).ToContainTextAsync("Range: 3 – 15 s.");

        await page.GetByLabel("Prompt").FillAsync("Image 1 trots across a sunny paddock, cinematic lighting.");
        await wb.ChooseReferenceAsync("reference_images", "pony.png", Reference);
        await Expect(wb.Field("reference_images").Locator(".thumb")).ToContainTextAsync("Image 1");
        await page.GetByLabel("Resolution").SelectOptionAsync("1080P");
        await duration.FillAsync("3");
        await wb.ScreenshotAsync("01-form");

        // Every phase the run card shows, so the test sees progress however quick the render is.
        await page.EvaluateAsync("""
            () => {
              window.seenPhases = [];
              new MutationObserver(() => {
                for (const p of document.querySelectorAll("#runs .run-phase")) {
                  if (window.seenPhases.at(-1) !== p.textContent) window.seenPhases.push(p.textContent);
                }
              }).observe(document.getElementById("runs"), { subtree: true, childList: true, characterData: true });
            }
            """);
        await wb.RunAsync();
        await Expect(page.Locator("#runs .run")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => window.seenPhases.some(p => /Rendering|Starting|Fetching/.test(p))");
        await wb.ScreenshotAsync("02-progress");

        var video = page.Locator("#runs video");
        await Expect(video).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await wb.WaitForPlayingAsync("#runs video");
        Assert.InRange(await video.EvaluateAsync<double>("v => v.duration"), 2.95, 3.05);
        Assert.Equal(1920, await video.EvaluateAsync<int>("v => v.videoWidth"));
        await Expect(page.Locator("#runs .badge")).ToHaveTextAsync("succeeded");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await wb.ScreenshotAsync("03-video");

        var phases = await page.EvaluateAsync<string[]>("() => window.seenPhases");
        Assert.Contains(phases, p => Regex.IsMatch(p, @"^Rendering · \d+%"));
        Assert.Equal("Done", phases[^1]);

        // The run reached the server as the form said, with the uploaded image as its reference.
        var id = await page.Locator("#runs .run").GetAttributeAsync("data-id");
        var row = await wb.RowAsync(id!);
        Assert.Equal(3, row.GetProperty("duration").GetInt32());
        Assert.Equal("1080P", row.GetProperty("resolution").GetString());
        var reference = row.GetProperty("reference_images")[0].GetString()!;
        Assert.StartsWith($"{Server.BaseUrl}/api/repos/default/workbench/file/main/uploads/", reference);
        await Expect(page.Locator($"#history-list li[data-id=\"{id}\"]")).ToContainTextAsync("succeeded");

        // The key and the form survive a reload; the address names the model.
        await page.ReloadAsync();
        await Expect(page.Locator("#workbench")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-panel")).ToBeHiddenAsync();
        await Expect(page.GetByLabel("Prompt")).ToHaveValueAsync("Image 1 trots across a sunny paddock, cinematic lighting.");
        await Expect(wb.Field("reference_images").Locator(".thumb img")).ToBeVisibleAsync();
        Assert.EndsWith("/workbench/happyhorse-1.0-r2v", page.Url);
        Assert.Empty(wb.ScriptErrors);
    }

    [Fact]
    public async Task The_curl_calls_copied_from_the_API_tab_produce_a_successful_generation()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.0-r2v");
        await page.GetByLabel("Prompt").FillAsync("Image 1 waves at the camera; it's a sunny day.");
        await wb.DropReferenceAsync("reference_images", "dropped.png", Reference);
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");

        var sync = await wb.SnippetAsync("cURL · sync", "curl-sync");
        var reference = (await wb.Field("reference_images").Locator(".thumb").GetAttributeAsync("title"))!;
        Assert.Contains($"curl -X POST {Server.BaseUrl}/api/ai/videos/generate", sync);
        Assert.Contains("$OXEN_API_KEY", sync); // the variable of the original page and the README
        Assert.DoesNotContain(Server.ApiKey, sync);
        Assert.Contains(reference, sync);
        Assert.Contains("it'\\''s a sunny day", sync); // the prompt's quote survives shell quoting

        // The Copy button puts exactly that text on the clipboard.
        await page.Locator("#snippet-curl-sync").GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(page.Locator("#snippet-curl-sync .copied")).ToHaveTextAsync("Copied");
        Assert.Equal(sync, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await wb.ScreenshotAsync("04-api-tab");

        var env = new Dictionary<string, string> { ["OXEN_API_KEY"] = Server.ApiKey };
        var result = await Processes.RunAsync("bash", ["-c", sync], env);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var answer = JsonDocument.Parse(result.Stdout);
        var url = answer.RootElement.GetProperty("videos")[0].GetProperty("url").GetString()!;
        using var download = await new HttpClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/mp4", download.Content.Headers.ContentType?.MediaType);
        var row = await wb.RowAsync(answer.RootElement.GetProperty("generation_id").GetString()!);
        Assert.Equal(3, row.GetProperty("duration").GetInt32());
        Assert.Equal(reference, row.GetProperty("reference_images")[0].GetString());

        // Async with SSE: the seed's jq/awk pipeline prints the completion event.
        var sse = await wb.SnippetAsync("cURL · SSE", "curl-sse");
        var streamed = await Processes.RunAsync("bash", ["-c", sse], env);
        Assert.True(streamed.ExitCode == 0, streamed.Stderr);
        using var completed = JsonDocument.Parse(streamed.Stdout);
        Assert.Equal("succeeded", completed.RootElement.GetProperty("status").GetString());
        Assert.Empty(wb.ScriptErrors);
    }

    [WhenToolWorksFact("python3", "-c", "import requests")]
    public async Task The_Python_snippet_from_the_API_tab_produces_a_successful_generation()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.0-t2v");
        await page.GetByLabel("Prompt").FillAsync("A white horse gallops along a beach at dawn.");
        await page.GetByLabel("Aspect ratio").SelectOptionAsync("1:1");
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");
        await page.Locator("#fields-more summary").ClickAsync();
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Seed", Exact = true }).FillAsync("4242");

        var code = await wb.SnippetAsync("Python", "python");
        Assert.Contains($"BASE_URL = \"{Server.BaseUrl}\"", code);
        Assert.Contains("\"seed\": 4242", code);
        await RunSnippetToSuccessAsync("python3", ".py", code);
    }

    [WhenToolWorksFact("node", "-e", "if (typeof fetch !== 'function') process.exit(1)")]
    public async Task The_JavaScript_snippet_from_the_API_tab_produces_a_successful_generation()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.1-r2v");
        await page.GetByLabel("Prompt").FillAsync("Image 1 canters through tall grass.");
        await wb.ChooseReferenceAsync("reference_images", "canter.png", Reference);
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");

        var code = await wb.SnippetAsync("JavaScript", "javascript");
        await RunSnippetToSuccessAsync("node", ".mjs", code);
    }

    /// <summary>Runs a copied snippet as a script file with the key in its variable: it polls to success and prints the video's URL.</summary>
    private async Task RunSnippetToSuccessAsync(string interpreter, string extension, string code)
    {
        var script = Path.Combine(Path.GetTempPath(), $"workbench-{Guid.NewGuid():N}{extension}");
        await File.WriteAllTextAsync(script, code);
        try
        {
            var result = await Processes.RunAsync(interpreter, [script], new Dictionary<string, string> { ["OXEN_API_KEY"] = Server.ApiKey });
            Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
            var lines = result.Stdout.Trim().Split('\n');
            Assert.Contains("Status: succeeded", lines);
            Assert.StartsWith($"{Server.BaseUrl}/api/outputs/default/", lines[^1]);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_bad_value_shows_the_servers_message_next_to_its_field()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.0-r2v");
        const string prompt = "Image 1 and Image 5 dance in the rain.";
        await page.GetByLabel("Prompt").FillAsync(prompt);
        await wb.ChooseReferenceAsync("reference_images", "only-one.png", Reference);
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");

        // What the server says about this request, asked directly.
        var references = await wb.Field("reference_images").Locator(".thumb").GetAttributeAsync("title");
        using var response = await Server.Client.PostAsync("api/ai/queue", JsonContent(new { model = "happyhorse-1.0-r2v", prompt, reference_images = new[] { references }, duration = 3 }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("detail").GetString()!;
        Assert.StartsWith("prompt: ", detail);

        await wb.RunAsync();
        var error = page.Locator("#f-prompt-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveTextAsync(detail["prompt: ".Length..]);
        await Expect(page.GetByLabel("Prompt")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Prompt")).ToBeFocusedAsync();
        await Expect(page.Locator("#runs .run")).ToHaveCountAsync(0);
        await wb.ScreenshotAsync("05-server-error");

        // A reference the server can only judge by fetching it (a URL pasted, here of a file too small on this server)
        // fails the generation; the reason lands beside the field too.
        await page.GetByLabel("Prompt").FillAsync("Image 1 dances in the rain.");
        await wb.Field("reference_images").GetByRole(AriaRole.Button, new() { Name = "Remove Image 1" }).ClickAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(300, 300, SKColors.Orange, SKColors.Navy)), "file", "tiny.png" } };
        using var uploaded = await Server.Client.PutAsync("api/repos/default/assets/file/main/tiny.png", form);
        uploaded.EnsureSuccessStatusCode();
        await page.GetByLabel("Reference images: image URL").FillAsync($"{Server.BaseUrl}/api/repos/default/assets/file/main/tiny.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add URL" }).ClickAsync();
        await wb.RunAsync();
        await Expect(error).ToBeHiddenAsync();
        await Expect(page.Locator("#runs .badge")).ToHaveTextAsync("failed", new() { Timeout = 60_000 });
        var id = await page.Locator("#runs .run").GetAttributeAsync("data-id");
        var reason = (await wb.RowAsync(id!)).GetProperty("error_message").GetString()!;
        Assert.StartsWith("reference_images[0]: ", reason);
        await Expect(page.Locator("#runs .run .field-error")).ToHaveTextAsync(reason);
        await Expect(page.Locator("#f-reference_images-error")).ToHaveTextAsync($"Image 1: {reason["reference_images[0]: ".Length..]}");
        await wb.ScreenshotAsync("06-failed-reference");
        Assert.Empty(wb.ScriptErrors);
    }

    [Fact]
    public async Task A_file_the_server_would_refuse_is_named_on_its_tile_never_uploaded_and_Run_waits_until_it_is_removed()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        var uploads = new ConcurrentBag<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PUT" && request.Url.Contains("/api/repos/", StringComparison.Ordinal)) uploads.Add(request.Url);
        };
        await wb.OpenAsync("/workbench/happyhorse-1.0-r2v");
        await page.GetByLabel("Prompt").FillAsync("Image 1 and Image 2 wave.");
        var tiny = TestImages.Png(300, 300, SKColors.Orange, SKColors.Navy);

        // A text file named .png, then an image too small: each tile says what the server would say.
        var thumbs = wb.Field("reference_images").Locator(".thumb");
        await wb.Field("reference_images").Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "just some notes\n"u8.ToArray() });
        await Expect(thumbs.Nth(0).Locator(".thumb-status")).ToHaveTextAsync("is not a JPEG or PNG image (its first bytes match no supported format)");
        await Expect(thumbs.Nth(0)).ToHaveClassAsync(new Regex("failed"));
        await Expect(thumbs.Nth(0).Locator("img")).ToHaveCountAsync(0); // no broken-image tile
        await wb.Field("reference_images").Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "tiny.png", MimeType = "image/png", Buffer = tiny });
        await Expect(thumbs.Nth(1).Locator(".thumb-status")).ToHaveTextAsync("shorter side is 300 px; it must be more than 400 px");
        await wb.ScreenshotAsync("07-refused-files");

        // The very words the server uses for the same file.
        using var answer = await Server.Client.PostAsync("api/ai/videos/generate", JsonContent(new
        {
            model = "happyhorse-1.0-r2v", prompt = "Image 1 waves", duration = 3, resolution = "720P",
            reference_images = new[] { "data:text/plain;base64," + Convert.ToBase64String("just some notes\n"u8), "data:image/png;base64," + Convert.ToBase64String(tiny) },
        }));
        var detail = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("detail").GetString()!;
        Assert.Equal("reference_images[0]: is not a JPEG or PNG image (its first bytes match no supported format); reference_images[1]: shorter side is 300 px; it must be more than 400 px", detail);

        // Run does not go: both problems are named beside the field, nothing was queued or uploaded.
        await wb.RunAsync();
        await Expect(page.Locator("#f-reference_images-error")).ToHaveTextAsync(
            "Image 1: is not a JPEG or PNG image (its first bytes match no supported format)\nImage 2: shorter side is 300 px; it must be more than 400 px");
        await Expect(page.Locator("#runs .run")).ToHaveCountAsync(0);
        Assert.Empty(uploads);

        // Removing them lets a good image through.
        await wb.Field("reference_images").GetByRole(AriaRole.Button, new() { Name = "Remove Image 1" }).ClickAsync();
        await wb.Field("reference_images").GetByRole(AriaRole.Button, new() { Name = "Remove Image 1" }).ClickAsync();
        await wb.ChooseReferenceAsync("reference_images", "good.png", Reference);
        Assert.Single(uploads);
        Assert.Empty(wb.ScriptErrors);
    }

    [Fact]
    public async Task Takes_queued_together_show_ids_that_tell_them_apart()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.0-t2v");
        await page.GetByLabel("Prompt").FillAsync("Three kites over a windy hill.");
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");
        await page.GetByLabel("Takes").SelectOptionAsync("3");

        await wb.RunAsync();

        await Expect(page.Locator("#runs .run")).ToHaveCountAsync(3);
        var shown = await page.Locator("#runs .run-id").AllTextContentsAsync();
        Assert.Equal(3, shown.Distinct().Count());
        var ids = await page.Locator("#runs .run").EvaluateAllAsync<string[]>("runs => runs.map(r => r.dataset.id)");
        for (var i = 0; i < 3; i++) Assert.EndsWith(shown[i].TrimStart('…'), ids[i]);
        foreach (var id in ids) await Server.Client.DeleteAsync($"api/ai/queue/{id}");
    }

    [Fact]
    public async Task The_key_panel_tells_where_the_first_key_is_for_any_data_directory_without_showing_the_servers_paths()
    {
        // This server runs with a data directory of its own (as with --data-dir), not .paddock/.
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await page.GotoAsync("/");
        var panel = page.Locator("#key-panel");
        await Expect(panel).ToBeVisibleAsync();
        var text = (await panel.InnerTextAsync()).ReplaceLineEndings(" ");

        Assert.Contains("first-api-key.txt", text);
        Assert.Contains("--data-dir", text);
        Assert.DoesNotContain("it is also in .paddock/first-api-key.txt", text); // what it said for every server
        Assert.DoesNotContain(Server.DataDirectory, text); // anyone who can reach the page sees it: no server paths
        using var anonymous = new HttpClient();
        Assert.DoesNotContain(Path.GetFileName(Server.DataDirectory), await anonymous.GetStringAsync(Server.BaseUrl + "/"));
    }

    [Fact]
    public async Task The_API_reference_is_linked_from_the_page_and_shows_every_route_without_reaching_beyond_the_server()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Server.BaseUrl + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)) elsewhere.Add(request.Url);
        };
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/reference", StringComparison.Ordinal));

        // The reference page reads the served document: every tag's routes show, by the summaries written where they are mapped.
        await Expect(page.GetByText("Poll one generation").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        foreach (var summary in new[] { "List the models", "Generate a video and wait for it", "Enqueue 1 to 4 generations", "Cancel a generation",
                     "The namespace's events, as server-sent events", "Upload files", "A finished video at a signed URL" })
            await Expect(page.GetByText(summary).First).ToBeAttachedAsync();
        Assert.Empty(elsewhere); // a self-hosted server's reference works offline: its script comes from the server itself
    }

    [Fact]
    public async Task A_sync_request_refused_for_its_image_leaves_no_failed_generation_in_the_history()
    {
        var prompt = $"Image 1 refused at once {Guid.NewGuid():N}";
        using var answer = await Server.Client.PostAsync("api/ai/videos/generate", JsonContent(new
        {
            model = "happyhorse-1.0-r2v", prompt, duration = 3, resolution = "720P",
            reference_images = new[] { "data:image/png;base64," + Convert.ToBase64String(TestImages.Png(300, 300, SKColors.Orange, SKColors.Navy)) },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);

        // A 400 made nothing: no row, so no failed card.
        var all = JsonDocument.Parse(await Server.Client.GetStringAsync("api/ai/generations?page_size=1000")).RootElement.GetProperty("generations");
        Assert.DoesNotContain(all.EnumerateArray(), row => row.GetProperty("prompt").GetString() == prompt);
        await using var wb = await fixture.NewPageAsync();
        await wb.OpenAsync("/workbench/happyhorse-1.0-r2v");
        await Expect(wb.Page.Locator("#history-list li, #history-empty:visible").First).ToBeVisibleAsync();
        await Expect(wb.Page.Locator("#history-list")).Not.ToContainTextAsync(prompt);
    }

    [Fact]
    public async Task Compare_shows_two_runs_side_by_side_playing_in_sync_with_the_differing_parameters_highlighted()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await wb.OpenAsync("/workbench/happyhorse-1.0-t2v");
        await page.GetByLabel("Prompt").FillAsync("Two ponies race around a paddock.");
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");
        await page.Locator("#fields-more summary").ClickAsync();
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Seed", Exact = true }).FillAsync("100");
        await page.GetByLabel("Takes").SelectOptionAsync("2");
        await wb.RunAsync();

        await Expect(page.Locator("#runs .run")).ToHaveCountAsync(2);
        await Expect(page.Locator("#runs video")).ToHaveCountAsync(2, new() { Timeout = 90_000 });
        var ids = await page.Locator("#runs .run").EvaluateAllAsync<string[]>("runs => runs.map(r => r.dataset.id)");
        foreach (var id in ids)
        {
            var pick = page.Locator($"#pick-{id}");
            await Expect(pick).ToBeEnabledAsync();
            await pick.CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (2)" }).ClickAsync();

        var compare = page.Locator("#compare");
        await Expect(compare).ToBeVisibleAsync();
        var videos = compare.Locator(".compare-item video");
        await Expect(videos).ToHaveCountAsync(2);
        await AssertSideBySideAsync(videos);

        // Takes of one run differ only by seed (100 and 101); that row alone is highlighted.
        var differing = await compare.Locator("tr.differs th").EvaluateAllAsync<string[]>("cells => cells.map(c => c.firstChild.textContent)");
        Assert.Equal(["seed"], differing);
        await Expect(compare.Locator("tr.differs td")).ToHaveTextAsync(["100", "101"]);

        // Both play together: pausing one pauses the other; playing all keeps them aligned.
        await wb.WaitForPlayingAsync("#compare video", 0.2, count: 2);
        await videos.Nth(1).EvaluateAsync("v => v.pause()");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#compare video')].every(v => v.paused)");
        var times = await videos.EvaluateAllAsync<double[]>("vs => vs.map(v => v.currentTime)");
        Assert.True(Math.Abs(times[0] - times[1]) < 0.35, $"paused at {times[0]} and {times[1]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restart" }).ClickAsync();
        await wb.WaitForPlayingAsync("#compare video", 0.3, count: 2);
        await compare.ScrollIntoViewIfNeededAsync();
        await wb.ScreenshotAsync("07-compare");

        // At phone width the page still fits, and the two takes stay side by side.
        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scrolling at 390 px");
        await AssertSideBySideAsync(videos);
        await compare.ScrollIntoViewIfNeededAsync();
        await wb.ScreenshotAsync("08-phone-compare");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await wb.ScreenshotAsync("09-phone-form");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await wb.ScreenshotAsync("10-phone-dark");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        // A take's parameters go back into the form, seed included, to try a variation of it.
        await page.SetViewportSizeAsync(1280, 900);
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Seed", Exact = true }).FillAsync("");
        await page.Locator($"#history-list li[data-id=\"{ids[1]}\"]").GetByRole(AriaRole.Button, new() { Name = "Use parameters" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Spinbutton, new() { Name = "Seed", Exact = true })).ToHaveValueAsync("101");
        await Expect(page.GetByLabel("Prompt")).ToHaveValueAsync("Two ponies race around a paddock.");
        Assert.Empty(wb.ScriptErrors);
    }

    [Fact]
    public async Task The_page_and_its_files_need_no_key_and_unknown_api_routes_keep_the_error_envelope()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(Server.BaseUrl + "/") };
        foreach (var path in new[] { "", "workbench/happyhorse-1.0-i2v" })
        {
            using var page = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<title>Paddock workbench</title>", await page.Content.ReadAsStringAsync());
        }
        foreach (var (path, type) in new[] { ("app.js", "text/javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml") })
        {
            using var file = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
        }

        using var unknown = await Server.Client.GetAsync("api/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var envelope = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("resource_not_found", envelope.GetProperty("error").GetProperty("type").GetString());
        using var missingFile = await anonymous.GetAsync("nothing-here.js");
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);

        using var whoami = await Server.Client.GetAsync("api/whoami");
        Assert.Equal("default", JsonDocument.Parse(await whoami.Content.ReadAsStringAsync()).RootElement.GetProperty("namespace").GetString());
        using var noKey = await anonymous.GetAsync("api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_the_image_to_video_form_works_by_keyboard_and_without_the_event_stream()
    {
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        // A proxy that cannot stream: the page falls back to polling.
        await page.RouteAsync("**/api/events", route => route.AbortAsync());
        await page.GotoAsync("/workbench/happyhorse-1.1-i2v");
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync("pdk_not-a-real-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(page.Locator("#api-key-error")).ToContainTextAsync("not valid");
        await Expect(page.Locator("#workbench")).ToBeHiddenAsync();

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(Server.ApiKey);
        await page.GetByLabel("API key", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.GetByLabel("Model", new() { Exact = true })).ToHaveValueAsync("happyhorse-1.1-i2v");
        Assert.Equal(["prompt", "input_image", "resolution", "duration"],
            await page.Locator("#fields-basic > .field").EvaluateAllAsync<string[]>("fields => fields.map(f => f.dataset.field)"));
        await Expect(page.Locator("#fields-more")).ToBeHiddenAsync(); // 1.1 has no seed

        // Required and empty: the form says so before asking the server.
        await wb.RunAsync();
        await Expect(page.Locator("#f-input_image-error")).ToHaveTextAsync("is required");
        await wb.ChooseReferenceAsync("input_image", "first.png", Reference);
        await wb.ChooseReferenceAsync("input_image", "second.png", Reference, expectedCount: 1);
        await Expect(wb.Field("input_image").Locator(".thumb")).ToHaveCountAsync(1); // one image: the second replaced the first
        await Expect(wb.Field("input_image").Locator(".thumb")).ToHaveAttributeAsync("title", new Regex("second\\.png$"));
        // The tabs work from the keyboard: arrows move between them, and only the chosen one is in the Tab order.
        var parameters = page.GetByRole(AriaRole.Tab, new() { Name = "Parameters" });
        await parameters.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        var apiTab = page.GetByRole(AriaRole.Tab, new() { Name = "API", Exact = true });
        await Expect(apiTab).ToBeFocusedAsync();
        await Expect(apiTab).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.Locator("#panel-api")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "cURL · sync" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("End");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "OpenAI SDK · JavaScript" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.Locator("#code-openai-javascript")).ToBeVisibleAsync();

        var snippet = await wb.SnippetAsync("C#", "csharp");
        Assert.Contains("new PaddockClient(new Uri(", snippet);
        Assert.Contains("[\"input_image\"] = ", snippet);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Parameters" }).ClickAsync();
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");
        await Expect(page.Locator("#stream-state")).ToHaveTextAsync("polling");
        await wb.RunAsync();
        await Expect(page.Locator("#runs .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 60_000 });
        await wb.WaitForPlayingAsync("#runs video");
        Assert.Empty(wb.ScriptErrors);
    }

    /// <summary>Both boxes measured in one go (the page may be scrolling): same top, the second starts where the first ends or later.</summary>
    private static async Task AssertSideBySideAsync(ILocator videos)
    {
        var boxes = await videos.EvaluateAllAsync<double[][]>("vs => vs.map(v => { const r = v.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })");
        Assert.Equal(2, boxes.Length);
        var (left, right) = (boxes[0], boxes[1]);
        Assert.True(Math.Abs(left[1] - right[1]) < 1, $"same top: {left[1]} and {right[1]}");
        Assert.True(left[0] + left[2] <= right[0] + 0.5, $"side by side: the left ends at {left[0] + left[2]}, the right starts at {right[0]}");
        Assert.True(left[2] > 100 && right[2] > 100, $"both visible: {left[2]} and {right[2]} px wide");
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>
/// Runs only where a command succeeds (a tool the snippet needs); elsewhere the test is reported as skipped, saying
/// which command failed.
/// </summary>
public sealed class WhenToolWorksFactAttribute : FactAttribute
{
    private static readonly ConcurrentDictionary<string, bool> Checked = new();

    public WhenToolWorksFactAttribute(string command, params string[] args)
    {
        var line = string.Join(' ', [command, .. args]);
        if (!Checked.GetOrAdd(line, _ => Processes.Succeeds(command, args)))
            Skip = $"'{line}' failed here, so this snippet cannot run (install it to run this test)";
    }
}
