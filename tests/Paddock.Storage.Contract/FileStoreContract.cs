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

    [Fact]
    public async Task A_path_is_a_file_or_a_directory_and_a_commit_that_would_make_it_both_writes_nothing()
    {
        var store = await OpenAsync();
        var first = await store.Files.CommitAsync("alice", "assets", "main", "m", "alice", [File("imgs/a.png", "aa"), File("set/x/y.png", "bb")]);

        var below = await Assert.ThrowsAsync<FilePathConflictException>(() =>
            store.Files.CommitAsync("alice", "assets", "main", "below a file", "alice", [File("ok.png", "cc"), File("imgs/a.png/child.png", "dd")]));
        Assert.Equal(("imgs/a.png/child.png", "imgs/a.png"), (below.Path, below.ConflictingPath));
        Assert.Contains("imgs/a.png is a file", below.Message);

        var onto = await Assert.ThrowsAsync<FilePathConflictException>(() =>
            store.Files.CommitAsync("alice", "assets", "main", "onto a directory", "alice", [File("set/x", "ee")]));
        Assert.Equal(("set/x", "set/x/y.png"), (onto.Path, onto.ConflictingPath));

        var within = await Assert.ThrowsAsync<FilePathConflictException>(() =>
            store.Files.CommitAsync("alice", "assets", "main", "both at once", "alice", [File("m.png", "ff"), File("m.png/n.png", "gg")]));
        Assert.Equal("m.png", within.ConflictingPath);

        // Refused commits left no file and no history; the same names elsewhere, or in another repo, are fine.
        foreach (var path in new[] { "ok.png", "imgs/a.png/child.png", "set/x", "m.png", "m.png/n.png" })
            Assert.Null(await store.Files.GetAsync("alice", "assets", "main", path));
        Assert.Equal("aa", (await store.Files.GetAsync("alice", "assets", "main", "imgs/a.png"))!.ContentHash);
        var next = await store.Files.CommitAsync("alice", "assets", "main", "next", "alice", [File("imgs/b.png", "hh"), File("set/x/z.png", "ii")]);
        Assert.Equal(first.Id, next.ParentId);
        await store.Files.CommitAsync("alice", "other", "main", "m", "alice", [File("imgs/a.png/child.png", "jj")]);
    }

    [Fact]
    public async Task Concurrent_commits_cannot_make_one_path_both_a_file_and_a_directory()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 20; i++)
        {
            var asFile = store.Files.CommitAsync("alice", "assets", "main", "file", "alice", [File($"race{i}.png", "aa")]);
            var asDirectory = store.Files.CommitAsync("alice", "assets", "main", "dir", "alice", [File($"race{i}.png/child.png", "bb")]);
            var outcomes = await Task.WhenAll(Succeeded(asFile), Succeeded(asDirectory));
            Assert.Single(outcomes, won => won);
            var file = await store.Files.GetAsync("alice", "assets", "main", $"race{i}.png");
            var child = await store.Files.GetAsync("alice", "assets", "main", $"race{i}.png/child.png");
            Assert.True((file is null) != (child is null), $"race{i}.png is {(file is null ? "neither" : "both")} a file and a directory");
        }
    }

    private static async Task<bool> Succeeded(Task<FileCommit> commit)
    {
        try
        {
            await commit;
            return true;
        }
        catch (FilePathConflictException)
        {
            return false;
        }
    }
}
