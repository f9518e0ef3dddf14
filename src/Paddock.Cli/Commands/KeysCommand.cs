using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Core.Configuration;
using Paddock.Core.Quotas;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock keys create|list|revoke</c>, against the database the server's configuration names.</summary>
internal static class KeysCommand
{
    private const string Forms = "keys takes: create --namespace NAME [--name LABEL] | list | revoke KEY_ID | limits KEY_ID | limits --namespace NAME";

    private static readonly Option<string> Namespace = CliOption.Text("--namespace", "NAME", "The namespace the key may use (1-64 letters, digits, '-', '_' or '.')").Require();
    private static readonly Option<string> Label = CliOption.Text("--name", "LABEL", "A label to tell keys apart in 'keys list'");
    private static readonly Option<bool> All = CliOption.Switch("--all", "Also the revoked keys (kept, marked with when they were revoked)");
    private static readonly Option<string> LimitsNamespace = CliOption.Text("--namespace", "NAME", "The namespace whose limits to show or set (instead of a key's)");

    public static PaddockCommand Create(ServerSettings settings)
    {
        var create = new PaddockCommand("create", "Create a key for a namespace and print it (shown only this once)") { WordsExtra = Forms };
        create.Add(Namespace);
        create.Add(Label);
        create.SetAction((parse, _) => RunAsync(parse, settings, (output, open) => CreateAsync(parse, output, open)));

        var list = new PaddockCommand("list", "The keys: id, namespace, created, label, last used, revoked") { WordsExtra = Forms };
        list.Add(All);
        list.SetAction((parse, _) => RunAsync(parse, settings, (output, open) => ListAsync(parse.GetValue(All), output, open)));

        var id = new Argument<string>("KEY_ID") { Description = "The key's id (see 'keys list'), not the key itself" };
        var revoke = new PaddockCommand("revoke", "Revoke a key: requests with it are refused from now on") { WordsMissing = Forms, WordsExtra = Forms };
        revoke.Add(id);
        revoke.SetAction((parse, _) => RunAsync(parse, settings, (output, open) => RevokeAsync(parse.GetRequiredValue(id), output, open)));

        var limitsId = new Argument<string>("KEY_ID") { Description = "The key's id (see 'keys list')", Arity = ArgumentArity.ZeroOrOne };
        var limits = new PaddockCommand("limits", "Show a key's or a namespace's stored limits, store new ones (replacing them), or --clear them") { WordsExtra = Forms };
        limits.Add(limitsId);
        limits.Add(LimitsNamespace);
        LimitOptions.AddTo(limits);
        limits.SetAction((parse, _) => RunAsync(parse, settings, (output, open) => LimitsAsync(parse, parse.GetValue(limitsId), output, open)));

        var command = new PaddockCommand("keys", "API keys, in the database of the server these settings describe")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
            TakesServerSettings = true,
            TakesHostSettings = true,
            Notes = "Run it with the server's own settings (--data-dir, --Section:Key=value, appsettings.json, PADDOCK__... variables): they are checked as at the server's start.",
        };
        command.Add(create);
        command.Add(list);
        command.Add(revoke);
        command.Add(limits);
        command.Add(RemoteOptions.Json);
        // Keys open the database only: the data directory, not where to listen or how many renders to run.
        command.Add(ServerOptions.DataDir);
        command.SetAction((parse, _) => RunAsync(parse, settings, (_, _) => throw new UsageException(Forms)));
        return command;
    }

    /// <summary>Runs <paramref name="action"/>, which opens the key store (with the server's settings) when it has checked its own arguments.</summary>
    private static async Task<int> RunAsync(ParseResult parse, ServerSettings settings, Func<Output, Func<KeyStoreHost>, Task<int>> action)
    {
        var output = new Output(parse.GetValue(RemoteOptions.Json), quiet: false);
        try
        {
            return await action(output, () => Open(ServerOptions.StoreConfiguration(parse, settings)));
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

    private static async Task<int> CreateAsync(ParseResult parse, Output output, Func<KeyStoreHost> open)
    {
        var ns = parse.GetRequiredValue(Namespace);
        if (string.IsNullOrWhiteSpace(ns)) throw new UsageException("keys create needs --namespace NAME");
        if (!ApiKeyFormat.IsValidNamespace(ns)) throw new UsageException($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");
        await using var store = open();
        var (record, key) = await new ApiKeyService(store.ApiKeys, store.Host.Services.GetRequiredService<TimeProvider>()).CreateAsync(ns, parse.GetValue(Label));
        Console.Error.WriteLine($"Created key {record.Id} for namespace '{ns}'. It is shown only now:");
        if (output.Json)
        {
            var document = Paddock.Server.Endpoints.Admin.AdminKeyEndpoints.Describe(record);
            document["key"] = key;
            output.Document(document);
        }
        else Console.WriteLine(key);
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(bool all, Output output, Func<KeyStoreHost> open)
    {
        await using var store = open();
        var keys = (await store.ApiKeys.ListAsync()).Where(k => all || !k.IsRevoked).ToList();
        if (output.Json) output.Document(new JsonObject { ["keys"] = new JsonArray(keys.Select(k => (JsonNode)Paddock.Server.Endpoints.Admin.AdminKeyEndpoints.Describe(k)).ToArray()) });
        else foreach (var k in keys) Console.WriteLine($"{k.Id}\t{k.Namespace}\t{k.CreatedAt:u}\t{k.Name}\t{(k.LastUsedAt is { } used ? $"last used {used:u}" : "never used")}{(k.RevokedAt is { } revoked ? $"\trevoked {revoked:u}" : "")}");
        return ExitCodes.Ok;
    }

    private static async Task<int> RevokeAsync(string id, Output output, Func<KeyStoreHost> open)
    {
        await using var store = open();
        var time = store.Host.Services.GetRequiredService<TimeProvider>();
        if (!await store.ApiKeys.RevokeAsync(id, time.GetUtcNow()))
        {
            var known = await store.ApiKeys.GetAsync(id);
            throw new RequestRefusedException(known is null
                ? $"no key with id {id} (see 'paddock keys list')"
                : $"key {id} was already revoked at {known.RevokedAt:u}");
        }
        if (output.Json) output.Document(new JsonObject { ["id"] = id, ["revoked"] = true });
        else Console.WriteLine($"Revoked {id}.");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The stored limits of a key (by id) or a namespace, in the same table the admin API writes (<c>quota_limits</c>):
    /// shown, replaced, or cleared. A running server reads a change within Paddock:Quotas:StoredLimitsLifetime.
    /// </summary>
    private static async Task<int> LimitsAsync(ParseResult parse, string? keyId, Output output, Func<KeyStoreHost> open)
    {
        var ns = parse.GetValue(LimitsNamespace);
        if ((keyId is null) == (ns is null)) throw new UsageException("keys limits takes a KEY_ID or --namespace NAME (one of them)");
        if (ns is not null && !ApiKeyFormat.IsValidNamespace(ns)) throw new UsageException($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");
        var scope = ns is not null ? QuotaScope.Namespace(ns) : QuotaScope.Key(keyId!);
        var (limits, clear) = LimitOptions.Read(parse, scope.Kind);
        await using var store = open();
        if (keyId is not null && await store.ApiKeys.GetAsync(keyId) is null)
            throw new RequestRefusedException($"no key with id {keyId} (see 'paddock keys list')");
        var quotas = store.Host.Services.GetRequiredService<IQuotaStore>();
        if (limits is not null) await quotas.SetLimitsAsync(scope, limits);
        else if (clear) await quotas.DeleteLimitsAsync(scope);
        var stored = await quotas.GetLimitsAsync(scope);
        var document = new JsonObject { ["scope"] = scope.Stored, ["stored"] = Paddock.Server.Endpoints.Admin.LimitsJson.Write(stored) };
        if (output.Json) output.Document(document);
        else Console.WriteLine($"{scope.Stored}\tstored: {LimitOptions.Describe(document["stored"])}");
        return ExitCodes.Ok;
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
}
