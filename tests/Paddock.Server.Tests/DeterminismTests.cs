using System.Security.Cryptography;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>Same request and seed give the same bytes; the seed the server chose is on the row and reproduces the video.</summary>
public sealed class DeterminismTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task<(string Hash, long Seed)> RenderAsync(int? seed)
    {
        var reference = fixture.Images.Add("/cast/fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow));
        object body = seed is { } s
            ? new { model = "happyhorse-1.0-r2v", prompt = "Image 1 spins in the snow", reference_images = new[] { reference }, resolution = "720P", duration = 3, seed = s }
            : new { model = "happyhorse-1.0-r2v", prompt = "Image 1 spins in the snow", reference_images = new[] { reference }, resolution = "720P", duration = 3 };
        var id = (await Api.EnqueueAsync(fixture.Server.Client, body))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        var bytes = await Api.DownloadAsync(row["result_url"]!.GetValue<string>());
        return (Convert.ToHexString(SHA256.HashData(bytes)), row["seed"]!.GetValue<long>());
    }

    [Fact]
    public async Task Same_seed_gives_identical_bytes_and_another_seed_does_not()
    {
        var first = await RenderAsync(1234);
        var again = await RenderAsync(1234);
        var other = await RenderAsync(1235);
        Assert.Equal(first.Hash, again.Hash);
        Assert.NotEqual(first.Hash, other.Hash);
    }

    [Fact]
    public async Task Without_a_seed_the_chosen_seed_is_recorded_and_reproduces_the_video()
    {
        var chosen = await RenderAsync(null);
        Assert.InRange(chosen.Seed, 0, int.MaxValue);
        var replay = await RenderAsync((int)chosen.Seed);
        Assert.Equal(chosen.Hash, replay.Hash);
    }

    [Fact]
    public async Task Num_generations_uses_consecutive_seeds()
    {
        var ids = await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a kite", resolution = "720P", duration = 3, seed = 2147483646, num_generations = 3 });
        Assert.Equal(3, ids.Count);
        var seeds = new List<long>();
        foreach (var id in ids) seeds.Add((await Api.GetRowAsync(fixture.Server.Client, id))["seed"]!.GetValue<long>());
        Assert.Equal([2147483646L, 2147483647L, 0L], seeds);
        foreach (var id in ids) await Api.WaitTerminalAsync(fixture.Server.Client, id);
    }
}
