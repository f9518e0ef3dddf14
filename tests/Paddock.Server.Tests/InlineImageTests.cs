using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>Images sent as data: URLs: rendered like any other, stored once by content, and never repeated back in full.</summary>
public sealed class InlineImageTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_data_URL_reference_renders_and_the_row_carries_a_short_reference_instead_of_the_base64()
    {
        var png = TestImages.Png(1200, 900, SKColors.OrangeRed, SKColors.LightSkyBlue);
        var dataUrl = "data:image/png;base64," + Convert.ToBase64String(png);
        var request = new { model = "happyhorse-1.0-r2v", prompt = "Image 1 spins", reference_images = new[] { dataUrl, dataUrl }, aspect_ratio = "4:3", resolution = "720P", duration = 3 };

        var first = (await Api.EnqueueAsync(fixture.Server.Client, request))[0];
        var second = (await Api.EnqueueAsync(fixture.Server.Client, request))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, first);
        var again = await Api.WaitTerminalAsync(fixture.Server.Client, second);

        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        Assert.Equal("succeeded", again["status"]!.GetValue<string>());
        var references = row["reference_images"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.All(references, r => Assert.Matches("^inline:sha256:[0-9a-f]{64}$", r));
        Assert.Equal(references[0], references[1]); // the same bytes, stored once
        Assert.Equal(references, again["reference_images"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.True(row.ToJsonString().Length < 4000, "the row does not repeat the image");

        // The list a poll loop or the workbench reads stays small too.
        var list = await fixture.Server.Client.GetFromJsonAsync<JsonObject>("api/ai/generations?page_size=50");
        Assert.DoesNotContain("base64", list!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_URL_that_is_not_an_image_still_fails_with_its_reason()
    {
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new
        {
            model = "happyhorse-1.0-r2v", prompt = "Image 1 waves", resolution = "720P", duration = 3,
            reference_images = new[] { "data:image/png;base64," + Convert.ToBase64String("not a picture"u8) },
        }))[0];

        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);

        Assert.Equal("failed", row["status"]!.GetValue<string>());
        Assert.StartsWith("reference_images[0]: is not a JPEG or PNG image", row["error_message"]!.GetValue<string>());
    }
}
