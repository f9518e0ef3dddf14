namespace Paddock.Server.Tests.Support;

/// <summary>One real server (and one image host) shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public PaddockHost Server { get; private set; } = null!;
    public ImageHost Images { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Images = await ImageHost.StartAsync();
        Server = await PaddockHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Images.DisposeAsync();
    }
}
