using Microsoft.Extensions.DependencyInjection;
using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary><c>AddPaddockClient</c>: the client comes from DI, its connections from IHttpClientFactory.</summary>
[Collection(ServerCollection.Name)]
public sealed class DependencyInjectionTests(ServerFixture fixture)
{
    [Fact]
    public async Task AddPaddockClient_registers_a_working_client_over_the_factory()
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddPaddockClient(o =>
        {
            o.Endpoint = fixture.Server.Endpoint;
            o.ApiKey = fixture.Server.ApiKey;
            o.UserAgent = "di-test/1.0";
        }).ConfigurePrimaryHttpMessageHandler(() => recorder);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<PaddockClient>();
        var models = await client.ListModelsAsync();

        Assert.NotEmpty(models);
        Assert.Equal(fixture.Server.Endpoint, client.Endpoint);
        var seen = Assert.Single(recorder.Seen);
        Assert.StartsWith("di-test/1.0 Paddock.Client/", seen.UserAgent);
        Assert.Equal($"Bearer {fixture.Server.ApiKey}", seen.Authorization);
    }

    [Fact]
    public void A_missing_endpoint_is_reported_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddPaddockClient(o => o.ApiKey = "pk");
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<PaddockClient>());
        Assert.Contains("Endpoint", e.Message);
    }
}
