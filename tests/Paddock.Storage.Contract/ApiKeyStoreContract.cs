using Paddock.Core.Auth;

namespace Paddock.Storage.Contract;

/// <summary>API key records, as every <see cref="IApiKeyStore"/> backend must show them.</summary>
public abstract class ApiKeyStoreContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    [Fact]
    public async Task Created_key_is_found_by_its_hash_and_listed()
    {
        var store = await OpenAsync();
        var service = new ApiKeyService(store.ApiKeys, Time);
        var (alice, aliceKey) = await service.CreateAsync("alice", "laptop");
        Time.Advance(TimeSpan.FromSeconds(1));
        var (bob, _) = await service.CreateAsync("bob", null);

        Assert.Equal(alice, await store.ApiKeys.FindByHashAsync(ApiKeyFormat.Hash(aliceKey)));
        Assert.Null(await store.ApiKeys.FindByHashAsync(ApiKeyFormat.Hash(ApiKeyFormat.NewKey())));
        Assert.Equal([alice, bob], await store.ApiKeys.ListAsync());
    }

    [Fact]
    public async Task Revoked_key_stays_listed_with_when_it_was_revoked_and_a_second_revoke_changes_nothing()
    {
        var store = await OpenAsync();
        var service = new ApiKeyService(store.ApiKeys, Time);
        var (record, key) = await service.CreateAsync("alice", "ci");
        Time.Advance(TimeSpan.FromSeconds(1));
        var (other, _) = await service.CreateAsync("alice", "laptop");
        var revokedAt = Time.GetUtcNow() + TimeSpan.FromMinutes(1);

        Assert.True(await store.ApiKeys.RevokeAsync(record.Id, revokedAt));
        Assert.False(await store.ApiKeys.RevokeAsync(record.Id, revokedAt + TimeSpan.FromHours(1)));
        Assert.False(await store.ApiKeys.RevokeAsync("key_unknown", revokedAt));

        var revoked = record with { RevokedAt = revokedAt };
        Assert.Equal(revoked, await store.ApiKeys.FindByHashAsync(ApiKeyFormat.Hash(key)));
        Assert.True((await store.ApiKeys.GetAsync(record.Id))!.IsRevoked);
        Assert.Equal(other, await store.ApiKeys.GetAsync(other.Id));
        Assert.Null(await store.ApiKeys.GetAsync("key_unknown"));
        Assert.Equal([revoked, other], await store.ApiKeys.ListAsync());
    }

    [Fact]
    public async Task Creates_of_one_namespace_at_once_from_two_processes_give_it_one_first_key()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var services = new[] { new ApiKeyService(first.ApiKeys, Time), new ApiKeyService(second.ApiKeys, Time) };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => services[i % 2].CreateFirstAsync("alice", $"admin {i}", FirstKeyScope.Namespace))));

        var created = Assert.Single(attempts, a => a is not null)!.Value;
        Assert.Equal([created.Record], await first.ApiKeys.ListAsync());
        Assert.Equal(created.Record, await second.ApiKeys.FindByHashAsync(ApiKeyFormat.Hash(created.Key)));
    }

    [Fact]
    public async Task A_first_key_of_a_namespace_is_refused_only_by_an_active_key_of_that_namespace()
    {
        var store = await OpenAsync();
        var service = new ApiKeyService(store.ApiKeys, Time);
        var (revoked, _) = await service.CreateAsync("alice", "old");
        await store.ApiKeys.RevokeAsync(revoked.Id, Time.GetUtcNow());
        await service.CreateAsync("bob", null);

        var alice = await service.CreateFirstAsync("alice", "new", FirstKeyScope.Namespace);
        Assert.NotNull(alice);
        Assert.Null(await service.CreateFirstAsync("alice", "another", FirstKeyScope.Namespace));
        Assert.Null(await service.CreateFirstAsync("carol", null, FirstKeyScope.Store));
        Assert.Equal(3, (await store.ApiKeys.ListAsync()).Count);
    }

    [Fact]
    public async Task Two_processes_starting_on_one_empty_store_make_one_first_key()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();

        var attempts = await Task.WhenAll(
            Task.Run(() => new ApiKeyService(first.ApiKeys, Time).CreateFirstAsync("default", "first start", FirstKeyScope.Store)),
            Task.Run(() => new ApiKeyService(second.ApiKeys, Time).CreateFirstAsync("default", "first start", FirstKeyScope.Store)));

        Assert.Single(attempts, a => a is not null);
        Assert.Single(await first.ApiKeys.ListAsync());
    }

    [Fact]
    public async Task Last_use_only_moves_forward()
    {
        var store = await OpenAsync();
        var (record, _) = await new ApiKeyService(store.ApiKeys, Time).CreateAsync("alice", null);
        var later = Time.GetUtcNow() + TimeSpan.FromMinutes(5);

        await store.ApiKeys.TouchAsync(record.Id, later);
        await store.ApiKeys.TouchAsync(record.Id, later - TimeSpan.FromMinutes(1));

        Assert.Equal(later, (await store.ApiKeys.GetAsync(record.Id))!.LastUsedAt);
    }

    [Fact]
    public async Task Two_keys_cannot_share_a_hash()
    {
        var store = await OpenAsync();
        var first = new ApiKeyRecord("key_1", ApiKeyFormat.Hash("pdk_same"), "alice", null, Time.GetUtcNow());
        await store.ApiKeys.CreateAsync(first);

        await Assert.ThrowsAnyAsync<Exception>(() => store.ApiKeys.CreateAsync(first with { Id = "key_2", Namespace = "bob" }));

        Assert.Equal([first], await store.ApiKeys.ListAsync());
    }

    [Fact]
    public async Task Keys_survive_a_restart()
    {
        var store = await OpenAsync();
        var (record, key) = await new ApiKeyService(store.ApiKeys, Time).CreateAsync("alice", "server");
        await store.DisposeAsync();

        var reopened = await OpenAsync();
        Assert.Equal(record, await reopened.ApiKeys.FindByHashAsync(ApiKeyFormat.Hash(key)));
    }
}
