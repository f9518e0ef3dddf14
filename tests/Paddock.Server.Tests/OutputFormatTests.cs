using Paddock.Core.Video;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>ffprobe on the videos the API returns: exact sizes, 24 fps, 24 × duration frames, H.264 yuv420p, fast start.</summary>
public sealed class OutputFormatTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string, int, int, int> Cases()
    {
        var data = new TheoryData<string, string, int, int, int>();
        foreach (var (aspect, resolution) in VideoFormat.AllCombinations)
        {
            var (w, h) = VideoFormat.SizeOf(aspect, resolution);
            data.Add(aspect, resolution, 3, w, h);
        }
        data.Add("16:9", "1080P", 15, 1920, 1080);
        data.Add("9:16", "720P", 15, 720, 1280);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Video_has_the_exact_format(string aspect, string resolution, int duration, int width, int height)
    {
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a horse runs along the beach", aspect_ratio = aspect, resolution, duration, seed = 11 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());

        var file = Path.Combine(Path.GetTempPath(), $"{id}.mp4");
        await File.WriteAllBytesAsync(file, await Api.DownloadAsync(row["result_url"]!.GetValue<string>()));
        try
        {
            var video = await Ffprobe.InspectAsync(file);
            Assert.Equal("h264", video.Codec);
            Assert.Equal("yuv420p", video.PixelFormat);
            Assert.Equal((width, height), (video.Width, video.Height));
            Assert.Equal("24/1", video.FrameRate);
            Assert.Equal(24 * duration, video.Frames);
            Assert.Equal("bt709", video.ColorSpace);
            Assert.True(video.FastStart, "the moov index must come before the media data");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The built-in renderer draws and encodes every frame to the exact format itself, so its video is stored as it came:
    /// no ffprobe check and no re-encode after it (each a process start and a read of the whole file per render). With
    /// the media tools that conform other backends' videos pointed at nothing, a render still succeeds.
    /// </summary>
    [Fact]
    public async Task Builtin_videos_are_stored_without_a_conform_pass()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Media:FfprobePath"] = "/nonexistent/ffprobe",
            ["Paddock:Media:FfmpegPath"] = "/nonexistent/ffmpeg",
        });

        var id = (await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a horse runs along the beach", resolution = "720P", duration = 3, seed = 11 }))[0];
        var row = await Api.WaitTerminalAsync(server.Client, id);

        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
    }
}
