using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Paddock.Workbench.Tests.Support;

/// <summary>The workbench as a user drives it: by labels, roles and the keyboard, as far as possible.</summary>
public sealed class WorkbenchPage : IAsyncDisposable
{
    private readonly PaddockHost _server;
    private readonly List<string> _scriptErrors = [];

    public WorkbenchPage(IPage page, PaddockHost server)
    {
        Page = page;
        _server = server;
        page.PageError += (_, error) => _scriptErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) _scriptErrors.Add(message.Text);
        };
    }

    public IPage Page { get; }

    /// <summary>Uncaught exceptions and refusals by the page's content security policy: a working page has none.</summary>
    public IReadOnlyList<string> ScriptErrors => _scriptErrors;

    /// <summary>Opens the page and enters the API key the way a first-time user does (typing it, then Enter).</summary>
    public async Task OpenAsync(string path = "/")
    {
        await Page.GotoAsync(path);
        var key = Page.GetByLabel("API key", new() { Exact = true });
        await Expect(key).ToBeFocusedAsync();
        await key.FillAsync(_server.ApiKey);
        await key.PressAsync("Enter");
        await Expect(Page.Locator("#workbench")).ToBeVisibleAsync();
        await Expect(Page.Locator("#namespace")).ToHaveTextAsync("default");
    }

    public ILocator Field(string name) => Page.Locator($"[data-field=\"{name}\"]");

    public async Task SelectModelAsync(string model)
    {
        await Page.GetByLabel("Model", new() { Exact = true }).SelectOptionAsync(model);
        await Expect(Page).ToHaveURLAsync($"{_server.BaseUrl}/workbench/{model}");
    }

    /// <summary>Chooses a reference image with the file picker and waits for the upload and its thumbnail.</summary>
    public async Task ChooseReferenceAsync(string field, string name, byte[] png, int? expectedCount = null)
    {
        var before = await Field(field).Locator(".thumb").CountAsync();
        await Field(field).Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "image/png", Buffer = png });
        await WaitForUploadsAsync(field, expectedCount ?? before + 1);
    }

    /// <summary>Drops a reference image on the field's drop zone, as dragging a file from the desktop does.</summary>
    public async Task DropReferenceAsync(string field, string name, byte[] png)
    {
        var before = await Field(field).Locator(".thumb").CountAsync();
        await Field(field).Locator(".dropzone").EvaluateAsync(
            """
            (zone, file) => {
              const bytes = Uint8Array.from(atob(file.data), c => c.charCodeAt(0));
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes], file.name, { type: "image/png" }));
              zone.dispatchEvent(new DragEvent("dragenter", { dataTransfer: transfer, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """,
            new { name, data = Convert.ToBase64String(png) });
        await WaitForUploadsAsync(field, before + 1);
    }

    private async Task WaitForUploadsAsync(string field, int count)
    {
        await Expect(Field(field).Locator(".thumb")).ToHaveCountAsync(count);
        await Expect(Field(field).Locator(".thumb.uploading")).ToHaveCountAsync(0);
        await Expect(Field(field).Locator(".thumb.failed")).ToHaveCountAsync(0);
        await Expect(Field(field).Locator(".thumb img").Last).ToBeVisibleAsync();
    }

    /// <summary>Moves to the Run button with the keyboard and presses Enter.</summary>
    public async Task RunAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
    }

    /// <summary>The text of a snippet on the API tab, as its Copy button copies it.</summary>
    public async Task<string> SnippetAsync(string label, string id)
    {
        await Page.GetByRole(AriaRole.Tab, new() { Name = "API", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Tab, new() { Name = label, Exact = true }).ClickAsync();
        var code = Page.Locator($"#code-{id}");
        await Expect(code).ToBeVisibleAsync();
        return await code.TextContentAsync() ?? "";
    }

    /// <summary>Waits until every video matched by the selector is playing past <paramref name="seconds"/>; on timeout says what each one was doing.</summary>
    public async Task WaitForPlayingAsync(string selector, double seconds = 0.3, int count = 1)
    {
        const string state = "vs => vs.map(v => ({ readyState: v.readyState, paused: v.paused, currentTime: v.currentTime, duration: v.duration, error: v.error?.message ?? v.error?.code ?? null, src: v.currentSrc }))";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var playing = await Page.Locator(selector).EvaluateAllAsync<bool>(
                $"(vs, t) => vs.length === {count} && vs.every(v => v.readyState >= 2 && !v.paused && v.currentTime > t)", seconds);
            if (playing) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"videos '{selector}' are not playing: {JsonSerializer.Serialize(await Page.Locator(selector).EvaluateAllAsync<JsonElement>(state))}");
            await Task.Delay(100);
        }
    }

    public async Task ScreenshotAsync(string name, bool fullPage = false) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots.Directory, name + ".png"), FullPage = fullPage });

    /// <summary>The generation row, read through the API.</summary>
    public async Task<JsonElement> RowAsync(string id)
    {
        using var response = await _server.Client.GetAsync($"api/ai/queue/{id}");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync() => await Page.Context.DisposeAsync();
}
