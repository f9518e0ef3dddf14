using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Server.Hosting;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>A comfyui backend's settings are checked at start, every problem named by its key.</summary>
public sealed class SettingsTests
{
    [Fact]
    public async Task Bad_settings_stop_the_start_naming_each_key()
    {
        var data = Directory.CreateTempSubdirectory("comfy-settings-").FullName;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Paddock:DataDirectory"] = data,
                ["Paddock:Backends:gpu:Type"] = "comfyui",
                ["Paddock:Backends:gpu:Members:0"] = "http://gpu-1:8188",
                ["Paddock:Backends:gpu:Members:1"] = "http://gpu-1:8188/",
                ["Paddock:Backends:gpu:Concurrency"] = "3",
                ["Paddock:Backends:gpu:Templates"] = Path.Combine(data, "no-such-folder"),
                ["Paddock:Backends:gpu:PollInterval"] = "00:00:00.010",
                ["Paddock:Backends:gpu:PassTimout"] = "01:00:00",
                ["Paddock:Backends:empty:Type"] = "comfyui",
            };
            await using var app = PaddockApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
            // As `paddock serve` does before it starts anything: every setting checked, every problem listed.
            var failure = Assert.ThrowsAny<Exception>(() => app.Services.ValidateSettings());
            var failures = failure is AggregateException many ? many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)failure).Failures;
            var message = string.Join("\n", failures);
            Assert.Contains("Paddock:Backends:gpu:Members lists http://gpu-1:8188/ 2 times", message, StringComparison.Ordinal);
            Assert.Contains("Paddock:Backends:gpu:Concurrency is 3; a comfyui backend gives each member one generation at a time", message, StringComparison.Ordinal);
            Assert.Contains($"Paddock:Backends:gpu:Templates is '{Path.Combine(data, "no-such-folder")}', which is not a folder here", message, StringComparison.Ordinal);
            Assert.Contains("Paddock:Backends:gpu:PollInterval is 00:00:00.0100000; it must be between", message, StringComparison.Ordinal);
            Assert.Contains("Paddock:Backends:gpu:PassTimout is not a setting; did you mean Paddock:Backends:gpu:PassTimeout?", message, StringComparison.Ordinal);
            Assert.Contains("Paddock:Backends:empty:Members is empty; list the ComfyUI servers' base URLs", message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
