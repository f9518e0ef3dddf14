using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>Pinning and deleting through the SDK, against a real server (with no retention set: kept forever).</summary>
[Collection(ServerCollection.Name)]
public sealed class RetentionTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_generation_is_pinned_unpinned_and_deleted_and_another_namespace_gets_404()
    {
        var client = fixture.Server.CreateClient();
        var operation = (await client.EnqueueAsync(TestMedia.Small("a boat drifts at dawn")))[0];
        var row = await operation.WaitForCompletionAsync();
        Assert.Equal(GenerationStatus.Succeeded, row.Status);
        Assert.False(row.Pinned);
        Assert.Null(row.ExpiresAt); // this server keeps outputs forever
        Assert.NotNull(row.ResultUrlExpiresAt);

        var pinned = await client.PinGenerationAsync(row.Id);
        Assert.True(pinned.Pinned);
        Assert.Null(pinned.ExpiresAt);
        Assert.False((await client.UnpinGenerationAsync(row.Id)).Pinned);

        var other = fixture.Server.CreateClient(apiKey: await fixture.Server.CreateKeyAsync("sdk-retention-other"));
        Assert.Equal(404, (await Assert.ThrowsAsync<PaddockException>(() => other.DeleteGenerationAsync(row.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<PaddockException>(() => other.PinGenerationAsync(row.Id))).Status);

        await client.DeleteGenerationAsync(row.Id);
        Assert.Equal(404, (await Assert.ThrowsAsync<PaddockException>(() => client.GetGenerationAsync(row.Id))).Status);
    }

    [Fact]
    public async Task A_file_is_pinned_and_deleted()
    {
        var client = fixture.Server.CreateClient();
        var uploaded = Assert.Single((await client.UploadFileAsync("default", "retention", "main", "cast/fox.png", new MemoryStream(TestMedia.Png()))).Files);
        Assert.False(uploaded.Pinned);
        Assert.Null(uploaded.ExpiresAt);

        Assert.Null(await client.PinFileAsync("default", "retention", "main", "cast/fox.png"));
        Assert.Null(await client.UnpinFileAsync("default", "retention", "main", "cast/fox.png"));
        await client.DeleteFileAsync("default", "retention", "main", "cast/fox.png");
        var error = await Assert.ThrowsAsync<PaddockException>(() => client.DownloadFileAsync("default", "retention", "main", "cast/fox.png", new MemoryStream()));
        Assert.Equal(404, error.Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<PaddockException>(() => client.DeleteFileAsync("default", "retention", "main", "cast/fox.png"))).Status);
    }
}
