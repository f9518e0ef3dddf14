using System.Text.Json;
using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>A response lost after the server committed: the retry carries the same Idempotency-Key and gets the same generation.</summary>
[Collection(ServerCollection.Name)]
public sealed class IdempotencyTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_lost_enqueue_answer_is_retried_into_the_same_generation()
    {
        var lost = new LostResponseHandler("/api/ai/queue");
        var client = fixture.Server.CreateClient(o => o.Transport = lost);
        var prompt = "a lighthouse blinks at dusk " + Guid.NewGuid().ToString("N");

        var operations = await client.EnqueueAsync(TestMedia.Small(prompt));

        var posts = lost.Seen.Where(s => s.Method == HttpMethod.Post).ToList();
        Assert.Equal(2, posts.Count);
        Assert.NotNull(posts[0].IdempotencyKey);
        Assert.Equal(posts[0].IdempotencyKey, posts[1].IdempotencyKey);
        var droppedId = JsonDocument.Parse(lost.DroppedBody!).RootElement.GetProperty("generations")[0].GetProperty("generation_id").GetString();
        var operation = Assert.Single(operations);
        Assert.Equal(droppedId, operation.Id);

        await operation.WaitForCompletionAsync();
        Assert.Single(await RowsWithPromptAsync(prompt));
    }

    [Fact]
    public async Task A_lost_sync_answer_is_retried_into_the_same_video()
    {
        var lost = new LostResponseHandler("/api/ai/videos/generate");
        var client = fixture.Server.CreateClient(o => o.Transport = lost);
        var prompt = "a windmill turns slowly " + Guid.NewGuid().ToString("N");

        var result = await client.GenerateAsync(TestMedia.Small(prompt));

        var posts = lost.Seen.Where(s => s.Method == HttpMethod.Post).ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0].IdempotencyKey, posts[1].IdempotencyKey);
        var dropped = JsonDocument.Parse(lost.DroppedBody!).RootElement;
        Assert.Equal(dropped.GetProperty("generation_id").GetString(), result.GenerationId);
        var row = Assert.Single(await RowsWithPromptAsync(prompt));
        Assert.Equal(result.GenerationId, row.Id);
        Assert.Equal(1, row.Attempt);
    }

    [Fact]
    public async Task Reusing_a_key_for_another_request_is_a_409_conflict()
    {
        var client = fixture.Server.CreateClient();
        var key = "conflict-" + Guid.NewGuid().ToString("N");
        var first = await client.EnqueueAsync(TestMedia.Small("a red door"), key);
        var again = await client.EnqueueAsync(TestMedia.Small("a red door"), key);
        Assert.Equal(first.Select(o => o.Id), again.Select(o => o.Id));

        var e = await Assert.ThrowsAsync<PaddockException>(() => client.EnqueueAsync(TestMedia.Small("a blue door"), key));
        await first[0].CancelAsync();

        Assert.Equal(409, e.Status);
        Assert.Equal("idempotency_conflict", e.ErrorType);
        Assert.Contains(key, e.Detail);
    }

    private async Task<List<Generation>> RowsWithPromptAsync(string prompt)
    {
        var rows = new List<Generation>();
        await foreach (var g in fixture.Server.CreateClient().ListAllGenerationsAsync()) if (g.Prompt == prompt) rows.Add(g);
        return rows;
    }
}
