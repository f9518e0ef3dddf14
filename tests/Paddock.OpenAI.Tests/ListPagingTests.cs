namespace Paddock.OpenAI.Tests;

/// <summary>The other API's cursor list: <c>limit</c>, <c>after</c> (the last id of the page before), <c>order</c>, <c>has_more</c>.</summary>
public sealed class ListPagingTests : IAsyncLifetime
{
    private PaddockHost _host = null!;

    public async Task InitializeAsync() => _host = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = "0" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_sdk_pages_through_every_video_newest_first_and_oldest_first()
    {
        var client = Faces.VideoClient(_host);
        var made = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            made.Add(Faces.Json(await client.CreateVideoAsync(Faces.JsonBody(new { prompt = $"take {i}" }), "application/json")).GetProperty("id").GetString()!);
            await Task.Delay(5); // distinct enqueue times, so the order is the order made
        }

        foreach (var (order, expected) in new[] { ("desc", Enumerable.Reverse(made).ToList()), ("asc", made) })
        {
            // The .NET SDK's collection gives one page per call (openai-dotnet, generated
            // VideoClientGetVideosAsyncCollectionResult: no continuation), so the next is asked with after=last_id, as the
            // JavaScript SDK's ConversationCursorPage does by itself.
            var pages = new List<(List<string> Ids, bool HasMore, string? LastId)>();
            string? after = null;
            do
            {
                await foreach (var page in client.GetVideosAsync(limit: 2, order: order, after: after).GetRawPagesAsync())
                {
                    var json = Faces.Json(page);
                    var ids = json.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("id").GetString()!).ToList();
                    pages.Add((ids, json.GetProperty("has_more").GetBoolean(), json.GetProperty("last_id").GetString()));
                }
                after = pages[^1].HasMore ? pages[^1].LastId : null;
            } while (after is not null && pages.Count < 10);
            Assert.Equal(expected, pages.SelectMany(p => p.Ids));
            Assert.Equal([2, 2, 1], pages.Select(p => p.Ids.Count));
            Assert.Equal([true, true, false], pages.Select(p => p.HasMore));
            Assert.All(pages, p => Assert.Equal(p.Ids[^1], p.LastId));
        }

        using var http = Faces.Bearer(_host, _host.ApiKey);
        var gone = await http.GetAsync($"v1/videos?after={Guid.NewGuid()}");
        Faces.AssertOpenAIError(await Faces.JsonAsync(gone), "after", null);
    }
}
