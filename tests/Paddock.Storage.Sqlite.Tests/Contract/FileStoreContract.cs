using Paddock.Core.Files;

namespace Paddock.Storage.Contract;

/// <summary>Hosted files' records, as every <see cref="IFileStore"/> backend must keep them.</summary>
public abstract class FileStoreContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    private static CommittedFile File(string path, string hash) => new(path, hash, 1234, "image/png");

    [Fact]
    public async Task A_commit_records_its_files_and_the_next_commit_names_it_as_parent()
    {
        var store = await OpenAsync();
        var first = await store.Files.CommitAsync("alice", "assets", "main", "first", "alice", [File("cast/fox.png", "aa11"), File("cast/owl.png", "bb22")]);
        Assert.Null(first.ParentId);
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await store.Files.CommitAsync("alice", "assets", "main", "overwrite fox", "alice", [File("cast/fox.png", "cc33")]);
        Assert.Equal(first.Id, second.ParentId);

        var fox = await store.Files.GetAsync("alice", "assets", "main", "cast/fox.png");
        Assert.Equal(("cc33", second.Id), (fox!.ContentHash, fox.CommitId));
        Assert.Equal("bb22", (await store.Files.GetAsync("alice", "assets", "main", "cast/owl.png"))!.ContentHash);
    }

    [Fact]
    public async Task Files_are_scoped_by_namespace_repo_and_branch()
    {
        var store = await OpenAsync();
        await store.Files.CommitAsync("alice", "assets", "main", "m", "alice", [File("a.png", "aa")]);
        Assert.Null(await store.Files.GetAsync("bob", "assets", "main", "a.png"));
        Assert.Null(await store.Files.GetAsync("alice", "other", "main", "a.png"));
        Assert.Null(await store.Files.GetAsync("alice", "assets", "dev", "a.png"));
    }

    [Fact]
    public async Task A_path_with_files_below_it_is_a_directory()
    {
        var store = await OpenAsync();
        await store.Files.CommitAsync("alice", "assets", "main", "m", "alice", [File("set/a.png", "aa"), File("set0.png", "bb")]);
        Assert.True(await store.Files.IsDirectoryAsync("alice", "assets", "main", "set"));
        Assert.False(await store.Files.IsDirectoryAsync("alice", "assets", "main", "set/a.png"));
        Assert.False(await store.Files.IsDirectoryAsync("alice", "assets", "main", "se"));
        Assert.True(await store.Files.IsDirectoryAsync("alice", "assets", "main", ""));
    }
}
