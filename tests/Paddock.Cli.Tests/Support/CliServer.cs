using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;

namespace Paddock.Cli.Tests.Support;

/// <summary>
/// A real Paddock server on Kestrel at 127.0.0.1 with its own data directory, shared by every test: x264 ultrafast
/// (the output format does not depend on the preset), one worker, references on loopback not allowed (as by default).
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    private WebApplication _app = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "paddock-cli-test-" + Guid.NewGuid().ToString("N"));

    public string Url { get; private set; } = "";

    public string ApiKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _app = PaddockApp.Build([
            "--urls=http://127.0.0.1:0",
            $"--Paddock:DataDirectory={DataDirectory}",
            "--Paddock:Engines:Builtin:Preset=ultrafast",
            "--Paddock:Workers:Concurrency=1",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        ApiKey = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "first-api-key.txt"))).Trim();
    }

    /// <summary>A key for another namespace, made the way <c>paddock keys create</c> makes one.</summary>
    public async Task<string> CreateKeyAsync(string ns) =>
        (await _app.Services.GetRequiredService<ApiKeyService>().CreateAsync(ns, "cli-test")).Key;

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class CliServerCollection : ICollectionFixture<CliServer>
{
    public const string Name = "cli server";
}
