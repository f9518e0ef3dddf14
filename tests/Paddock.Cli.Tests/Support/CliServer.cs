using Paddock.Testing;

namespace Paddock.Cli.Tests.Support;

/// <summary>
/// The shared test server (<see cref="PaddockHost"/>) for every CLI test: x264 ultrafast (the output format does not
/// depend on the preset), one worker, references on loopback not allowed (as by default).
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    private PaddockHost _host = null!;

    public string DataDirectory => _host.DataDirectory;

    public string Url => _host.BaseUrl;

    public string ApiKey => _host.ApiKey;

    /// <summary>The server's admin key (Paddock:Admin:Key), for <c>paddock admin</c>.</summary>
    public const string AdminKey = "pdk_admin_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

    public async Task InitializeAsync() =>
        _host = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:References:AllowedHosts:0"] = "none.invalid",
            // Webhook receivers on loopback are allowed, as an operator would allow a receiver on the same network.
            ["Paddock:Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["Paddock:Admin:Key"] = AdminKey,
        });

    /// <summary>A key for another namespace, made the way <c>paddock keys create</c> makes one.</summary>
    public Task<string> CreateKeyAsync(string ns) => _host.CreateKeyAsync(ns);

    public async Task DisposeAsync() => await _host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class CliServerCollection : ICollectionFixture<CliServer>
{
    public const string Name = "cli server";
}
