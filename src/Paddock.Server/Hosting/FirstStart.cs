using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Core.Hosting;

namespace Paddock.Server.Hosting;

/// <summary>
/// On a server with no API key, creates one for the bootstrap namespace; once listening, prints
/// where the server listens and which key to use.
/// </summary>
public sealed class FirstStart(
    IApiKeyStore keys,
    ApiKeyService keyService,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<PaddockOptions> options,
    IOptions<DataDirectoryOptions> data) : IHostedService
{
    private string? _announcedKey;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var dataDirectory = data.Value.DataDirectory;
        var keyFile = Path.Combine(dataDirectory, "first-api-key.txt");
        // Checked and created as one step in the store: processes starting at once on one fresh database make one key.
        if ((await keys.ListAsync(cancellationToken)).Count == 0
            && await keyService.CreateFirstAsync(settings.BootstrapNamespace, "created on first start", FirstKeyScope.Store, cancellationToken) is var (_, key))
        {
            _announcedKey = key;
            if (settings.WriteFirstKeyFile)
            {
                Directory.CreateDirectory(dataDirectory);
                await File.WriteAllTextAsync(keyFile, key + Environment.NewLine, cancellationToken);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        else if (File.Exists(keyFile))
        {
            // Announced again only while it still works: a revoked first key is kept in the store, marked, and says nothing here.
            var written = (await File.ReadAllTextAsync(keyFile, cancellationToken)).Trim();
            if (await keys.FindByHashAsync(ApiKeyFormat.Hash(written), cancellationToken) is { IsRevoked: false })
                _announcedKey = written;
        }
        lifetime.ApplicationStarted.Register(Announce);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var settings = options.Value;
        Console.WriteLine();
        foreach (var address in addresses) Console.WriteLine($"Paddock is listening on {address}  (workbench: {address.TrimEnd('/')}/)");
        Console.WriteLine($"Data directory: {data.Value.FullPath}");
        Console.WriteLine(_announcedKey is not null
            ? $"API key (namespace '{settings.BootstrapNamespace}'): {_announcedKey}"
            : "API keys: create one with 'paddock keys create --namespace NAME'");
        Console.WriteLine();
    }
}
