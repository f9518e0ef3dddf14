using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>Same request, same bytes, in any process; and no prompt can make a render fail.</summary>
public sealed class RobustnessTests : IDisposable
{
    private static readonly BuiltinEngineOptions Fast = new() { Preset = "ultrafast" };

    private readonly string _directory = Directory.CreateTempSubdirectory("paddock-robust-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Another_process_renders_the_same_bytes()
    {
        var job = TestMedia.Job(320, 180, 3, [TestMedia.Character("fox", 1), TestMedia.Photo(2)],
            "Image 1 dances in the snow at night with fireflies, then Image 2 waves, handheld", seed: 77);
        var here = Path.Combine(_directory, "here.mp4");
        var there = Path.Combine(_directory, "there.mp4");
        var jobFile = Path.Combine(_directory, "job.json");
        JobFile.Write(job, jobFile);

        await new BuiltinVideoEngine(Fast).RenderAsync(job, here, new ProgressLog(), CancellationToken.None);
        var child = Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { typeof(HelperProgram).Assembly.Location, "render", jobFile, there }, RedirectStandardError = true })!;
        var stderr = await child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();

        Assert.True(child.ExitCode == 0, stderr);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(here))), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(there))));
    }

    [Fact]
    public void Random_unicode_and_hostile_prompts_render_frames()
    {
        var random = new Random(99);
        var words = new[] { "Image 1", "image2", "@Image 3", "Image 4", "then", "cut to", "meanwhile", "walks", "spins", "pan left", "zoom in",
            "night", "black and white", "neon", "rain", "snow", "confetti", "embers", "in", "Image 1 as the background", "no", "heavy",
            "leaves", "\n", ".", "🦊", "ümlaut", "画像1", "slow motion", "orbit", "tracking shot", "approaches", "leaves", "space", "room" };
        for (var round = 0; round < 40; round++)
        {
            var prompt = string.Join(" ", Enumerable.Range(0, random.Next(0, 40)).Select(_ => random.Next(5) == 0
                ? new string((char)random.Next(1, 0xD7FF), random.Next(1, 6))
                : words[random.Next(words.Length)]));
            var references = Enumerable.Range(1, random.Next(0, 3)).Select(i => i % 2 == 0 ? TestMedia.Photo(i, round) : TestMedia.Character("owl", i)).ToList();
            var job = TestMedia.Job(64, 36, 3, references, prompt, seed: round);

            var frames = TestMedia.Frames(job, [0, 35, 71]);

            Assert.Equal(3, frames.Count);
        }
    }

    [Fact]
    public async Task A_huge_prompt_renders()
    {
        var huge = new StringBuilder();
        var random = new Random(5);
        while (huge.Length < 120_000)
        {
            huge.Append(random.Next(3) switch { 0 => "Image 1 spins then ", 1 => "🌧️ rain, cut to night; ", _ => new string((char)random.Next(0x20, 0x3000), 8) });
        }

        var output = Path.Combine(_directory, "huge.mp4");
        await new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(128, 72, 3, [TestMedia.Character("fox", 1)], huge.ToString()), output, new ProgressLog(), CancellationToken.None);

        Assert.Equal(72, TestMedia.Probe(output).Frames);
        Assert.Equal(PromptReader.MaxShots, PromptReader.Read(huge.ToString(), 1).Count);
    }

    [Fact]
    public async Task Black_and_white_survives_encoding()
    {
        var output = Path.Combine(_directory, "bw.mp4");
        await new BuiltinVideoEngine(Fast).RenderAsync(
            TestMedia.Job(320, 180, 3, [TestMedia.Character("fox", 1)], "Image 1 runs through the garden at sunset with petals, black and white"),
            output, new ProgressLog(), CancellationToken.None);

        foreach (var index in new[] { 5, 40 })
        {
            var rgb = TestMedia.FrameRgb(output, index);
            var largest = 0;
            for (var i = 0; i < rgb.Length; i += 3)
            {
                largest = Math.Max(largest, Math.Max(rgb[i], Math.Max(rgb[i + 1], rgb[i + 2])) - Math.Min(rgb[i], Math.Min(rgb[i + 1], rgb[i + 2])));
            }

            Assert.True(largest <= 3, $"frame {index}: a pixel's channels differ by {largest}");
        }
    }

    [Fact]
    public void Looks_combine_and_a_monochrome_look_has_equal_rows()
    {
        var lexicon = Lexicon.Default;
        GradeSpec Grade(string words) => PromptReader.Read($"Image 1 waves, {words}", 1, lexicon).Single().Grades.Single();

        var look = Look.Combine([Grade("black and white"), Grade("golden hour"), Grade("foggy")]);
        var matrix = look.Matrix(0.4f, new SkiaSharp.SKColor(200, 150, 100));

        Assert.Equal(matrix[0..5], matrix[5..10]);
        Assert.Equal(matrix[0..5], matrix[10..15]);
        Assert.Equal(TimeOfDay.Golden, look.Time);
        Assert.True(Look.Combine([Grade("night")]).Exposure < 0.7f);
        Assert.True(Look.Combine([Grade("cinematic")]).Depth > 0.5f, "cinematic is a shallow depth of field");
    }
}
