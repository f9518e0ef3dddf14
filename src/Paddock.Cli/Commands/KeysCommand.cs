using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Paddock.Cli.Remote;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Core.Configuration;

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
        catch (Exception e) when (PaddockProcess.Explain(e, urls: "") is { } failure)
        {
            // The server's settings are wrong or its database cannot be opened: the same one-line reasons as a start.
            return Invocation.Report(new StartFailedException(failure.Code, string.Join(Environment.NewLine + "paddock: ", failure.Lines)), output, connection: null);
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
                var (record, key) = await new ApiKeyService(store.ApiKeys, store.Host.Services.GetRequiredService<TimeProvider>()).CreateAsync(ns!, args.Value("--name"));
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

    /// <summary>
    /// The key store the server with this configuration uses, built by the server's own composition: whatever storage
    /// its settings choose, and the same checks of every setting as at a server's start.
    /// </summary>
    private static KeyStoreHost Open(string[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddPaddockServices(PaddockRole.Api);
        var host = builder.Build();
        try
        {
            host.Services.ValidateSettings();
            return new KeyStoreHost(host, host.Services.GetRequiredService<IApiKeyStore>());
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>The key store and the services that own it: disposing closes the database after its last write.</summary>
    private sealed record KeyStoreHost(IHost Host, IApiKeyStore ApiKeys) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Host is IAsyncDisposable disposable) await disposable.DisposeAsync();
            else Host.Dispose();
        }
    }

    private static JsonObject Describe(ApiKeyRecord key) => new()
    {
        ["id"] = key.Id,
        ["namespace"] = key.Namespace,
        ["name"] = key.Name,
        ["created_at"] = key.CreatedAt.ToUnixTimeSeconds(),
    };
}
