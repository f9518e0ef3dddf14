using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Paddock.Workbench.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Paddock.Workbench.Tests;

/// <summary>The workbench's usage view: what the namespace consumed, by day and model, as <c>GET /api/usage</c> says.</summary>
[Collection(WorkbenchCollection.Name)]
public sealed class UsageViewTests(WorkbenchFixture fixture)
{
    private PaddockHost Server => fixture.Server;

    [Fact]
    public async Task The_usage_view_shows_the_namespaces_generations_seconds_of_video_and_wall_time_by_day_and_model_as_runs_end()
    {
        // A namespace of its own: the other tests' generations are not in its usage.
        var ns = "usage-" + Guid.NewGuid().ToString("N")[..8];
        var key = await Server.CreateKeyAsync(ns);
        using var client = Server.CreateClient(key);
        await using var wb = await fixture.NewPageAsync();
        var page = wb.Page;
        await page.GotoAsync("/workbench/happyhorse-1.0-t2v");
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("API key", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.Locator("#namespace")).ToHaveTextAsync(ns);

        var usage = page.Locator("#usage");
        await Expect(usage.GetByRole(AriaRole.Heading, new() { Name = "Usage" })).ToBeVisibleAsync();
        await Expect(page.Locator("#usage-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#usage-table")).ToBeHiddenAsync();

        // One run from the page, one from the API, and one that fails (a reference that is not an image).
        await page.GetByLabel("Prompt").FillAsync("A red kite over green hills.");
        await page.GetByLabel("Resolution").SelectOptionAsync("720P");
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Duration", Exact = true }).FillAsync("3");
        await wb.RunAsync();
        await Expect(page.Locator("#runs .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });
        var ids = new List<string>
        {
            await EnqueueAsync(client, new { model = "happyhorse-1.0-t2v", prompt = "A slow pan over a lake.", resolution = "720P", duration = 4 }),
            await EnqueueAsync(client, new
            {
                model = "happyhorse-1.0-r2v", prompt = "Image 1 waves", resolution = "720P", duration = 3,
                reference_images = new[] { "data:image/png;base64," + Convert.ToBase64String("not a picture"u8) },
            }),
        };
        foreach (var id in ids) await WaitTerminalAsync(client, id);

        // The view follows the completions without a reload or a click: one row per day and model.
        var t2v = page.Locator("#usage-rows tr[data-model=\"happyhorse-1.0-t2v\"]");
        var r2v = page.Locator("#usage-rows tr[data-model=\"happyhorse-1.0-r2v\"]");
        await Expect(t2v.Locator("td").Nth(2).Locator(".detail")).ToHaveTextAsync("2 succeeded");
        await Expect(r2v.Locator("td").Nth(2).Locator(".detail")).ToHaveTextAsync("1 failed");
        await Expect(page.Locator("#usage-empty")).ToBeHiddenAsync();

        // The seconds of video are the lengths asked for that succeeded (3 + 4 at 720P); the failure made none.
        Assert.Equal(("2", "7 s", "720P 7 s"), (await Value(t2v, 2), await Value(t2v, 3), await t2v.Locator("td").Nth(3).Locator(".detail").TextContentAsync()));
        Assert.Equal(("1", "0 s"), (await Value(r2v, 2), await Value(r2v, 3)));
        var totals = page.Locator("#usage-totals tr");
        Assert.Equal("Total", await totals.Locator("th").TextContentAsync());
        Assert.Equal(("3", "7 s"), (await Value(totals, 1), await Value(totals, 2)));

        // What the page shows is what the server counted: the same day, generations, seconds of video and wall time.
        var answer = await client.GetFromJsonAsync<JsonElement>("api/usage");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(2, answer.GetProperty("usage").GetArrayLength());
        foreach (var row in answer.GetProperty("usage").EnumerateArray())
        {
            var shown = page.Locator($"#usage-rows tr[data-model=\"{row.GetProperty("model").GetString()}\"]");
            Assert.Equal((today, today), (row.GetProperty("day").GetString(), await shown.Locator("td").Nth(0).TextContentAsync()));
            Assert.Equal(row.GetProperty("model").GetString(), await shown.Locator("td").Nth(1).TextContentAsync());
            Assert.Equal(row.GetProperty("generations").GetInt64().ToString(CultureInfo.InvariantCulture), await Value(shown, 2));
            Assert.Equal($"{row.GetProperty("video_seconds").GetInt64()} s", await Value(shown, 3));
            Assert.Equal(Seconds(row.GetProperty("wall_seconds")), await Value(shown, 4));
        }
        var t2vWall = answer.GetProperty("usage").EnumerateArray().Single(r => r.GetProperty("model").GetString() == "happyhorse-1.0-t2v").GetProperty("wall_seconds");
        Assert.True(t2vWall.GetDouble() > 0, "two renders took some time");
        Assert.Equal(Seconds(answer.GetProperty("totals").GetProperty("wall_seconds")), await Value(totals, 3));
        await usage.ScrollIntoViewIfNeededAsync();
        await wb.ScreenshotAsync("12-usage");
        Assert.Empty(wb.ScriptErrors);
    }

    /// <summary>The figure of a row's n-th cell (a th counts; its detail line left out).</summary>
    private static async Task<string> Value(ILocator row, int n) => (await row.Locator("td, th").Nth(n).Locator(".value").TextContentAsync())!;

    /// <summary>
    /// As the page writes it: the browser rounds the number as written in the JSON, a half away from zero (2.15 → 2.2),
    /// where a double's "F1" rounds its binary value (2.15 → 2.1).
    /// </summary>
    private static string Seconds(JsonElement value) =>
        $"{Math.Round(value.GetDecimal(), 1, MidpointRounding.AwayFromZero).ToString("F1", CultureInfo.InvariantCulture)} s";

    private static async Task<string> EnqueueAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("api/ai/queue", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"enqueue answered {(int)response.StatusCode}: {json}");
        return json.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;
    }

    private static async Task WaitTerminalAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var row = await client.GetFromJsonAsync<JsonElement>($"api/ai/queue/{id}");
            if (row.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") return;
            Assert.True(DateTime.UtcNow < deadline, $"generation {id} did not end within 2 minutes");
            await Task.Delay(200);
        }
    }
}
