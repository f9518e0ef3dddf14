using Paddock.Client.Admin;
using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary><see cref="PaddockAdminClient"/> against a server with an admin key: what an operator's tool built on the SDK sees.</summary>
public sealed class AdminClientTests : IAsyncLifetime
{
    private const string AdminKey = "pdk_admin_9e8d7c6b5a4f30291807f6e5d4c3b2a19e8d7c6b5a4f30291807f6e5d4c3b2a1";
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(new Dictionary<string, string> { ["Paddock:Admin:Key"] = AdminKey });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_key_made_with_limits_works_until_the_admin_revokes_it()
    {
        var admin = new PaddockAdminClient(_server.Endpoint, AdminKey);
        var created = await admin.CreateKeyAsync("sdk-team", "tool", new PaddockLimits(RequestsPerMinute: 120, Budgets: [new PaddockVideoBudget("720p", 600, PerMonth: true)]));
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;

        var limits = await admin.GetKeyLimitsAsync(id);
        Assert.Equal(120, limits.GetProperty("stored").GetProperty("requests_per_minute").GetInt32());
        var budget = limits.GetProperty("stored").GetProperty("budgets")[0];
        Assert.Equal(("720P", 600, "month"), (budget.GetProperty("resolution").GetString(), budget.GetProperty("seconds").GetInt64(), budget.GetProperty("period").GetString()));
        var user = _server.CreateClient(apiKey: key);
        Assert.NotEmpty(await user.ListModelsAsync());

        await admin.RevokeKeyAsync(id);
        var refused = await Assert.ThrowsAsync<PaddockException>(() => user.ListModelsAsync());
        Assert.Equal((401, "unauthenticated"), (refused.Status, refused.ErrorType));
        var keys = await admin.ListKeysAsync("sdk-team");
        Assert.True(keys.GetProperty("keys")[0].GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task A_namespace_key_gets_the_servers_403_and_bad_limits_its_400()
    {
        var withNamespaceKey = new PaddockAdminClient(_server.Endpoint, _server.ApiKey);
        var forbidden = await Assert.ThrowsAsync<PaddockException>(() => withNamespaceKey.GetQueueAsync());
        Assert.Equal((403, "forbidden"), (forbidden.Status, forbidden.ErrorType));

        var admin = new PaddockAdminClient(_server.Endpoint, AdminKey);
        var bad = await Assert.ThrowsAsync<PaddockException>(() => admin.SetNamespaceLimitsAsync("default", new PaddockLimits(MaxQueued: 0)));
        Assert.Equal(400, bad.Status);
        Assert.Contains("max_queued is 0", bad.Detail, StringComparison.Ordinal);
    }
}
