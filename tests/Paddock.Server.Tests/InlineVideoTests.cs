using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>A sync answer with the video inline (<c>b64_json</c>) carries exactly the video's bytes, streamed with its length.</summary>
public sealed class InlineVideoTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_b64_json_answer_is_the_video_byte_for_byte_with_a_content_length()
    {
        using var response = await fixture.Server.Client.PostAsync("api/ai/videos/generate", new StringContent(
            """{"model":"happyhorse-1.0-r2v","prompt":"a fox in the snow","resolution":"720P","duration":3,"seed":5,"response_format":"b64_json"}""",
            System.Text.Encoding.UTF8, "application/json"));
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == 200, text);
        Assert.Equal(text.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        var body = JsonNode.Parse(text)!;
        Assert.Equal("happyhorse-1.0-r2v", body["model"]!.GetValue<string>());
        Assert.True(body["created"]!.GetValue<long>() > 0);
        var inline = Convert.FromBase64String(body["videos"]![0]!["b64_json"]!.GetValue<string>());
        var row = await Api.GetRowAsync(fixture.Server.Client, body["generation_id"]!.GetValue<string>());
        Assert.Equal(await Api.DownloadAsync(row["result_url"]!.GetValue<string>()), inline);
    }
}
