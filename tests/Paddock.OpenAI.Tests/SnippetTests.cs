using System.Net.Http.Headers;
using System.Text.Json;

namespace Paddock.OpenAI.Tests;

/// <summary>The workbench API tab's OpenAI SDK snippet (src/Paddock.Server/wwwroot/snippets.js) run as a user would: it makes the video the form asks for.</summary>
public sealed class SnippetTests : IAsyncLifetime
{
    private PaddockHost _host = null!;
    private string _nodeModules = null!;

    public async Task InitializeAsync()
    {
        _nodeModules = await OpenAINode.InstallAsync();
        _host = await PaddockHost.StartAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_openai_javascript_snippet_makes_the_video_of_the_form_with_its_reference_image()
    {
        // A reference kept on the server itself, as the workbench uploads one.
        using var form = new MultipartFormDataContent();
        var png = new ByteArrayContent(TestImages.Png(800, 600, SkiaSharp.SKColors.Goldenrod, SkiaSharp.SKColors.White));
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(png, "file", "horse.png");
        Assert.True((await _host.Client.PutAsync("api/repos/default/assets/file/main/horse.png", form)).IsSuccessStatusCode);
        var reference = $"{_host.BaseUrl}/api/repos/default/assets/file/main/horse.png";

        var request = JsonSerializer.Serialize(new
        {
            baseUrl = _host.BaseUrl,
            model = "happyhorse-1.0-r2v",
            values = new { prompt = "Image 1 canters through tall grass", reference_images = new[] { reference }, aspect_ratio = "16:9", resolution = "720P", duration = 3 },
            count = 1,
        });
        var module = new Uri(Path.Combine(Root, "src", "Paddock.Server", "wwwroot", "snippets.js")).AbsoluteUri;
        var generated = await Processes.RunAsync("node", ["--input-type=module", "-e",
            $"const {{ snippets }} = await import({JsonSerializer.Serialize(module)}); process.stdout.write(snippets({request}).find(s => s.id === 'openai-javascript').code);"]);
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        Assert.Contains("image_url", generated.Stdout);

        // Beside the SDK's node_modules, so `import OpenAI from "openai"` resolves as in a project that ran npm install.
        var folder = Directory.GetParent(_nodeModules)!.FullName;
        var script = Path.Combine(folder, $"snippet-{Guid.NewGuid():N}.mjs");
        var workDir = Directory.CreateDirectory(Path.Combine(_host.DataDirectory, "snippet")).FullName;
        await File.WriteAllTextAsync(script, generated.Stdout);
        try
        {
            var run = await Processes.RunAsync("bash", ["-c", $"cd '{workDir}' && node '{script}'"], new Dictionary<string, string> { ["OXEN_API_KEY"] = _host.ApiKey }, TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            Assert.Equal("video.mp4", run.Stdout.Trim().Split('\n')[^1]);
        }
        finally
        {
            File.Delete(script);
        }
        var facts = await Ffprobe.InspectAsync(Path.Combine(workDir, "video.mp4"));
        Assert.Equal((1280, 720, 72), (facts.Width, facts.Height, facts.Frames));
    }

    private static string Root => OpenAINode.RepositoryRoot;
}
