using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>Listing and paging generations through the SDK, in a namespace of the test's own.</summary>
[Collection(ServerCollection.Name)]
public sealed class PagingTests(ServerFixture fixture)
{
    [Fact]
    public async Task ListAllGenerationsAsync_enumerates_every_row_once_across_pages()
    {
        var recorder = new RecordingHandler();
        var client = fixture.Server.CreateClient(o => o.Transport = recorder, apiKey: await fixture.Server.CreateKeyAsync("pager"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var request = TestMedia.Small($"page test {i}");
            request.NumGenerations = 4;
            var operations = await client.EnqueueAsync(request);
            ids.AddRange(operations.Select(o => o.Id));
            foreach (var operation in operations) await operation.CancelAsync(); // rows are what count here, not videos
        }

        var listed = new List<Generation>();
        await foreach (var generation in client.ListAllGenerationsAsync(options: null, pageSize: 5)) listed.Add(generation);

        Assert.Equal(12, listed.Count);
        Assert.Equal(ids.Order(), listed.Select(g => g.Id).Order());
        Assert.Equal(3, recorder.Seen.Count(s => s.Uri.AbsolutePath.EndsWith("/api/ai/generations", StringComparison.Ordinal)));
        Assert.All(listed, g => Assert.Equal("pager", g.TargetNamespace));

        var page = await client.GetGenerationsPageAsync(3, 5, options: null);
        Assert.Equal(2, page.Count);
        Assert.Equal(3, page.TotalPages);
        Assert.Equal(12, page.TotalEntries);

        var cancelled = new ListGenerationsOptions { Model = HappyHorseR2VRequest.ModelId };
        cancelled.Statuses.Add(GenerationStatus.Cancelled);
        Assert.Equal(12, (await client.ListGenerationsAsync(cancelled)).Count);
        Assert.Equal(0, (await client.ListGenerationsAsync()).Count); // active only: none left
    }
}
