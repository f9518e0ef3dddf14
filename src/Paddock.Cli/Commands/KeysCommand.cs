using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Paddock.Cli.Remote;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;
using Paddock.Storage.Sqlite;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock keys create|list|revoke</c>, against the database the server's configuration names.</summary>
internal static class KeysCommand
{
    private const string Forms = "keys takes: create --namespace NAME [--name LABEL] | list | revoke KEY_ID";

    public static async Task<int> RunAsync(string[] args)
    {
        // Until the arguments parse, --json is honoured if it is there at all, so a script still gets JSON for a usage error.
        var output = new Output(args.Contains("--json"), quiet: false);
        try
        {
            var parsed = ServerArguments.Parse("keys", args, values: ["--namespace", "--name"], switches: ["--json", "--help|-h"]);
            if (parsed.Has("--help")) return Usage.Print();
            output = new Output(parsed.Has("--json"), quiet: false);
            return await RunAsync(parsed, output);
        }
        catch (Exception e)
        {
            return Invocation.Report(e, output, connection: null);
        }
    }

    private static async Task<int> RunAsync(ServerCommandArguments args, Output output)
    {
        var words = args.Words;
        var action = words.Count > 0 ? words[0] : null;
        if (action is not ("create" or "list" or "revoke") || words.Count != (action == "revoke" ? 2 : 1)) throw new UsageException(Forms);
        if (action != "create" && (args.Value("--namespace") ?? args.Value("--name")) is not null)
            throw new UsageException("--namespace and --name go with 'keys create'");
        var ns = args.Value("--namespace");
        if (action == "create")
        {
            if (string.IsNullOrWhiteSpace(ns)) throw new UsageException("keys create needs --namespace NAME");
            if (!ApiKeyFormat.IsValidNamespace(ns)) throw new UsageException($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");
        }

        await using var store = Open(args.Configuration);
        switch (action)
        {
            case "create":
                var (record, key) = await new ApiKeyService(store.ApiKeys, TimeProvider.System).CreateAsync(ns!, args.Value("--name"));
                Console.Error.WriteLine($"Created key {record.Id} for namespace '{ns}'. It is shown only now:");
                if (output.Json)
                {
                    var document = Describe(record);
                    document["key"] = key;
                    output.Document(document);
                }
                else Console.WriteLine(key);
                return ExitCodes.Ok;
            case "list":
                var keys = await store.ApiKeys.ListAsync();
                if (output.Json) output.Document(new JsonObject { ["keys"] = new JsonArray(keys.Select(k => (JsonNode)Describe(k)).ToArray()) });
                else foreach (var k in keys) Console.WriteLine($"{k.Id}\t{k.Namespace}\t{k.CreatedAt:u}\t{k.Name}");
                return ExitCodes.Ok;
            default:
                var id = words[1];
                if (!await store.ApiKeys.DeleteAsync(id)) throw new RequestRefusedException($"no key with id {id} (see 'paddock keys list')");
                if (output.Json) output.Document(new JsonObject { ["id"] = id, ["revoked"] = true });
                else Console.WriteLine($"Revoked {id}.");
                return ExitCodes.Ok;
        }
    }

    /// <summary>The database the server with this configuration uses (its folder created on first use, as the server does).</summary>
    private static SqliteStore Open(string[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(configuration);
        builder.Services.AddOptions<PaddockOptions>().BindConfiguration("Paddock");
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<PaddockOptions>>().Value;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.DatabaseFile))!);
        return new SqliteStore(options.DatabaseFile, TimeProvider.System);
    }

    private static JsonObject Describe(ApiKeyRecord key) => new()
    {
        ["id"] = key.Id,
        ["namespace"] = key.Namespace,
        ["name"] = key.Name,
        ["created_at"] = key.CreatedAt.ToUnixTimeSeconds(),
    };
}
