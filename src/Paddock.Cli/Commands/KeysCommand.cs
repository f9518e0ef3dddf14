using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;
using Paddock.Storage.Sqlite;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock keys create|list|revoke</c>, against the database the server's configuration names.</summary>
internal static class KeysCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, flags, rest) = Split(args);
        var builder = Host.CreateApplicationBuilder(ServerArguments.Translate(rest));
        builder.Services.AddOptions<PaddockOptions>().BindConfiguration("Paddock");
        var options = builder.Build().Services.GetRequiredService<IOptions<PaddockOptions>>().Value;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.DatabaseFile))!);
        await using var store = new SqliteStore(options.DatabaseFile, TimeProvider.System);

        switch (positional.FirstOrDefault())
        {
            case "create":
                if (!flags.TryGetValue("namespace", out var ns) || string.IsNullOrWhiteSpace(ns))
                    return Usage.Fail("keys create needs --namespace NAME");
                if (!ApiKeyFormat.IsValidNamespace(ns))
                    return Usage.Fail($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");
                var (record, key) = await new ApiKeyService(store.ApiKeys, TimeProvider.System).CreateAsync(ns, flags.GetValueOrDefault("name"));
                Console.Error.WriteLine($"Created key {record.Id} for namespace '{ns}'. It is shown only now:");
                Console.WriteLine(key);
                return 0;
            case "list":
                foreach (var k in await store.ApiKeys.ListAsync())
                    Console.WriteLine($"{k.Id}\t{k.Namespace}\t{k.CreatedAt:u}\t{k.Name}");
                return 0;
            case "revoke" when positional.Count > 1:
                if (await store.ApiKeys.DeleteAsync(positional[1])) { Console.WriteLine($"Revoked {positional[1]}."); return 0; }
                return Usage.Fail($"no key with id {positional[1]}");
            default:
                return Usage.Fail("keys takes: create --namespace NAME | list | revoke KEY_ID");
        }
    }

    /// <summary>Positional words, the keys command's own flags, and the rest for the server configuration.</summary>
    private static (List<string> Positional, Dictionary<string, string> Flags, string[] Others) Split(string[] args)
    {
        var positional = new List<string>();
        var flags = new Dictionary<string, string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--namespace" or "--name" && i + 1 < args.Length) flags[args[i][2..]] = args[++i];
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                rest.Add(args[i]);
                if (!args[i].Contains('=') && i + 1 < args.Length) rest.Add(args[++i]);
            }
            else positional.Add(args[i]);
        }
        return (positional, flags, rest.ToArray());
    }
}
