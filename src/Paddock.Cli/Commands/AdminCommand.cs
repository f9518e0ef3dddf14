using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;
using Paddock.Core.Auth;
using Paddock.Core.Quotas;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock admin …</c>: the admin API of a running server (<c>/api/admin</c>) with the admin key (<c>--key</c> or
/// <c>PADDOCK_ADMIN_KEY</c>): namespaces, keys and limits, any namespace's webhooks, usage across namespaces, the queue.
/// <c>admin new-key</c> runs offline: it makes an admin key for the server's settings.
/// </summary>
internal static class AdminCommand
{
    private const string Forms = "admin takes: new-key | namespaces list|create NAME|limits NAME | keys list|create --namespace NAME|revoke KEY_ID|limits KEY_ID | webhooks list NAMESPACE|create NAMESPACE URL|delete NAMESPACE WEBHOOK_ID | usage | queue";

    private static readonly Option<string> Namespace = CliOption.Text("--namespace", "NAME", "The namespace (1-64 letters, digits, '-', '_' or '.')");
    private static readonly Option<string> Label = CliOption.Text("--name", "LABEL", "A label to tell keys apart");
    private static readonly Option<string> KeyName = CliOption.Text("--key-name", "LABEL", "A label for the namespace's first key");
    private static readonly Option<string[]> Events = CliOption.Repeated("--event", "E", "An event the endpoint wants (repeat for several; default: completed and cancelled)");
    private static readonly Option<string> Description = CliOption.Text("--description", "TEXT", "A note for people");
    private static readonly Option<string> From = CliOption.Text("--from", "DAY", "The first UTC day, YYYY-MM-DD (default: 29 days before --to)");
    private static readonly Option<string> To = CliOption.Text("--to", "DAY", "The last UTC day, YYYY-MM-DD (default: today)");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("admin", "The admin API of a server, with its admin key: namespaces, keys, limits, webhooks, usage, queue")
        {
            WordsMissing = Forms,
            WordsExtra = Forms,
            Notes = $"The admin key comes from --key or ${Connection.AdminKeyVariable} (never from the namespace key's variables or the config file). The server needs Paddock:Admin:Key or Paddock:Admin:KeyHash set; 'paddock admin new-key' makes one.",
        };
        command.Add(NewKey());
        command.Add(Namespaces());
        command.Add(Keys());
        command.Add(Webhooks());
        command.Add(Usage());
        command.Add(Queue());
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand NewKey()
    {
        var command = new PaddockCommand("new-key", "Make an admin key (offline) and print it with its SHA-256 for Paddock:Admin:KeyHash") { WordsExtra = Forms };
        command.SetAction((parse, _) => Invocation.RunAsync(parse, invocation =>
        {
            var key = AdminOptions.NewKey();
            var hash = ApiKeyFormat.Hash(key);
            if (invocation.Output.Json)
                invocation.Output.Document(new JsonObject { ["key"] = key, ["key_hash"] = hash });
            else
            {
                invocation.Output.Note("A new admin key. Give the server its hash (Paddock:Admin:KeyHash, e.g. the variable PADDOCK__ADMIN__KEYHASH) and keep the key itself for clients:");
                Console.WriteLine($"key:      {key}");
                Console.WriteLine($"key hash: {hash}");
            }
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static PaddockCommand Namespaces()
    {
        var list = new PaddockCommand("list", "Namespaces with their keys, queue and use to date") { WordsExtra = Forms };
        list.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var answer = await invocation.AdminClient.ListNamespacesAsync();
            if (invocation.Output.Json) return Show(invocation, answer);
            Table.Write(["NAMESPACE", "KEYS", "REVOKED", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "VIDEO SECONDS"],
                answer.GetProperty("namespaces").EnumerateArray().Select(n => new[]
                {
                    Table.Cell(n, "namespace"), Table.Cell(n, "keys"), Table.Cell(n, "revoked_keys"), Table.Cell(n, "queued"), Table.Cell(n, "running"),
                    Table.Cell(n, "succeeded"), Table.Cell(n, "failed"), Table.Cell(n, "cancelled"), Table.Cell(n, "video_seconds_charged"),
                }));
            return ExitCodes.Ok;
        }));

        var name = new Argument<string>("NAME") { Description = "The new namespace" };
        var create = new PaddockCommand("create", "Create a namespace with its first key (printed only this once)") { WordsMissing = Forms, WordsExtra = Forms };
        create.Add(name);
        create.Add(KeyName);
        LimitOptions.AddTo(create);
        create.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var ns = CheckedNamespace(parse.GetRequiredValue(name));
            var (limits, _) = LimitOptions.Read(parse, QuotaScopeKind.Namespace);
            var answer = await invocation.AdminClient.CreateNamespaceAsync(ns, invocation.Value(KeyName), limits is null ? null : LimitOptions.ToClient(limits));
            if (invocation.Output.Json) return Show(invocation, answer);
            var key = answer.GetProperty("key");
            invocation.Output.Note($"Created namespace '{ns}' with key {Table.Cell(key, "id")}. The key is shown only now:");
            Console.WriteLine(Table.Cell(key, "key"));
            return ExitCodes.Ok;
        }));

        var limitsOf = new Argument<string>("NAME") { Description = "The namespace" };
        var limitsCommand = new PaddockCommand("limits", "Show a namespace's limits, store new ones (replacing the stored), or --clear them") { WordsMissing = Forms, WordsExtra = Forms };
        limitsCommand.Add(limitsOf);
        LimitOptions.AddTo(limitsCommand);
        limitsCommand.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var ns = CheckedNamespace(parse.GetRequiredValue(limitsOf));
            var (limits, clear) = LimitOptions.Read(parse, QuotaScopeKind.Namespace);
            var client = invocation.AdminClient;
            var answer = limits is not null ? await client.SetNamespaceLimitsAsync(ns, LimitOptions.ToClient(limits))
                : clear ? await client.SetNamespaceLimitsAsync(ns, null)
                : await client.GetNamespaceLimitsAsync(ns);
            return ShowLimits(invocation, answer);
        }));

        var command = new PaddockCommand("namespaces", "Namespaces: list, create, limits") { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(list);
        command.Add(create);
        command.Add(limitsCommand);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand Keys()
    {
        var list = new PaddockCommand("list", "Keys (never the key itself): id, namespace, created, last used, revoked") { WordsExtra = Forms };
        list.Add(Namespace);
        list.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var answer = await invocation.AdminClient.ListKeysAsync(invocation.Value(Namespace));
            if (invocation.Output.Json) return Show(invocation, answer);
            Table.Write(["KEY", "NAMESPACE", "CREATED", "LAST USED", "REVOKED", "LABEL"],
                answer.GetProperty("keys").EnumerateArray().Select(k => new[]
                {
                    Table.Cell(k, "id"), Table.Cell(k, "namespace"), Time(k, "created_at"), Time(k, "last_used_at"), Time(k, "revoked_at"), Table.Cell(k, "name"),
                }));
            return ExitCodes.Ok;
        }));

        var create = new PaddockCommand("create", "Create a key for a namespace and print it (shown only this once)") { WordsExtra = Forms };
        create.Add(Namespace);
        create.Add(Label);
        LimitOptions.AddTo(create);
        create.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var ns = CheckedNamespace(invocation.Value(Namespace) ?? throw new UsageException("admin keys create needs --namespace NAME"));
            var (limits, _) = LimitOptions.Read(parse, QuotaScopeKind.Key);
            var answer = await invocation.AdminClient.CreateKeyAsync(ns, invocation.Value(Label), limits is null ? null : LimitOptions.ToClient(limits));
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Note($"Created key {Table.Cell(answer, "id")} for namespace '{ns}'. It is shown only now:");
            Console.WriteLine(Table.Cell(answer, "key"));
            return ExitCodes.Ok;
        }));

        var revokeId = new Argument<string>("KEY_ID") { Description = "The key's id (see 'admin keys list'), not the key itself" };
        var revoke = new PaddockCommand("revoke", "Revoke a key: requests with it are refused from now on") { WordsMissing = Forms, WordsExtra = Forms };
        revoke.Add(revokeId);
        revoke.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var answer = await invocation.AdminClient.RevokeKeyAsync(parse.GetRequiredValue(revokeId));
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Result($"Revoked {Table.Cell(answer, "id")} of namespace '{Table.Cell(answer, "namespace")}'.");
            return ExitCodes.Ok;
        }));

        var limitsId = new Argument<string>("KEY_ID") { Description = "The key's id" };
        var limitsCommand = new PaddockCommand("limits", "Show a key's limits, store new ones (replacing the stored), or --clear them") { WordsMissing = Forms, WordsExtra = Forms };
        limitsCommand.Add(limitsId);
        LimitOptions.AddTo(limitsCommand);
        limitsCommand.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var id = parse.GetRequiredValue(limitsId);
            var (limits, clear) = LimitOptions.Read(parse, QuotaScopeKind.Key);
            var client = invocation.AdminClient;
            var answer = limits is not null ? await client.SetKeyLimitsAsync(id, LimitOptions.ToClient(limits))
                : clear ? await client.SetKeyLimitsAsync(id, null)
                : await client.GetKeyLimitsAsync(id);
            return ShowLimits(invocation, answer);
        }));

        var command = new PaddockCommand("keys", "Keys of every namespace: list, create, revoke, limits") { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(list);
        command.Add(create);
        command.Add(revoke);
        command.Add(limitsCommand);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand Webhooks()
    {
        var listNs = new Argument<string>("NAMESPACE") { Description = "The namespace" };
        var list = new PaddockCommand("list", "A namespace's webhook endpoints") { WordsMissing = Forms, WordsExtra = Forms };
        list.Add(listNs);
        list.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var answer = await invocation.AdminClient.ListWebhooksAsync(CheckedNamespace(parse.GetRequiredValue(listNs)));
            if (invocation.Output.Json) return Show(invocation, answer);
            Table.Write(["WEBHOOK", "URL", "EVENTS"], answer.GetProperty("webhooks").EnumerateArray().Select(h => new[]
            {
                Table.Cell(h, "id"), Table.Cell(h, "url"), string.Join(",", h.GetProperty("events").EnumerateArray().Select(x => x.GetString())),
            }));
            return ExitCodes.Ok;
        }));

        var createNs = new Argument<string>("NAMESPACE") { Description = "The namespace" };
        var url = new Argument<string>("URL") { Description = "The http(s) URL that receives the events" };
        var create = new PaddockCommand("create", "Create a webhook endpoint for a namespace; prints its id and signing secret") { WordsMissing = Forms, WordsExtra = Forms };
        create.Add(createNs);
        create.Add(url);
        create.Add(Events);
        create.Add(Description);
        create.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var events = invocation.Value(Events);
            var answer = await invocation.AdminClient.CreateWebhookAsync(CheckedNamespace(parse.GetRequiredValue(createNs)), parse.GetRequiredValue(url),
                events is { Length: > 0 } ? events : null, invocation.Value(Description));
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Result($"Created {Table.Cell(answer, "id")} for {Table.Cell(answer, "url")}\nsecret: {Table.Cell(answer, "secret")}");
            return ExitCodes.Ok;
        }));

        var deleteNs = new Argument<string>("NAMESPACE") { Description = "The namespace" };
        var deleteId = new Argument<string>("WEBHOOK_ID") { Description = "The endpoint's id" };
        var delete = new PaddockCommand("delete", "Delete a namespace's webhook endpoint") { WordsMissing = Forms, WordsExtra = Forms };
        delete.Add(deleteNs);
        delete.Add(deleteId);
        delete.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var id = parse.GetRequiredValue(deleteId);
            var answer = await invocation.AdminClient.DeleteWebhookAsync(CheckedNamespace(parse.GetRequiredValue(deleteNs)), id);
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Result($"Deleted {id}.");
            return ExitCodes.Ok;
        }));

        var command = new PaddockCommand("webhooks", "Webhook endpoints of any namespace: list, create, delete") { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(list);
        command.Add(create);
        command.Add(delete);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand Usage()
    {
        var command = new PaddockCommand("usage", "What every namespace consumed, by namespace, day and model") { WordsExtra = Forms };
        command.Add(From);
        command.Add(To);
        command.Add(Namespace);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var from = Day(invocation.Value(From), "--from");
            var to = Day(invocation.Value(To), "--to");
            if (from is { } f && to is { } t && f > t) throw new UsageException($"--from {invocation.Value(From)} is after --to {invocation.Value(To)}; give --from on or before --to");
            var ns = invocation.Value(Namespace) is { } given ? CheckedNamespace(given) : null;
            var answer = await invocation.AdminClient.GetUsageAsync(from, to, ns);
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Note($"Usage from {Table.Cell(answer, "from")} to {Table.Cell(answer, "to")} (UTC days):");
            var rows = answer.GetProperty("usage").EnumerateArray().Select(u => new[]
            {
                Table.Cell(u, "namespace"), Table.Cell(u, "day"), Table.Cell(u, "model"), Table.Cell(u, "generations"), Table.Cell(u, "succeeded"), Table.Cell(u, "failed"),
                Table.Cell(u, "cancelled"), Table.Cell(u, "video_seconds"), Table.Cell(u, "wall_seconds"),
            }).ToList();
            var totals = answer.GetProperty("totals");
            rows.Add(["total", "", "", Table.Cell(totals, "generations"), Table.Cell(totals, "succeeded"), Table.Cell(totals, "failed"), Table.Cell(totals, "cancelled"), Table.Cell(totals, "video_seconds"), Table.Cell(totals, "wall_seconds")]);
            Table.Write(["NAMESPACE", "DAY", "MODEL", "GENERATIONS", "SUCCEEDED", "FAILED", "CANCELLED", "VIDEO SECONDS", "WALL SECONDS"], rows);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static PaddockCommand Queue()
    {
        var command = new PaddockCommand("queue", "What waits and runs now: per model, per namespace, per worker") { WordsExtra = Forms };
        command.SetAction((parse, _) => Invocation.RunAsync(parse, async invocation =>
        {
            var answer = await invocation.AdminClient.GetQueueAsync();
            if (invocation.Output.Json) return Show(invocation, answer);
            invocation.Output.Note($"{Table.Cell(answer, "queued")} queued, {Table.Cell(answer, "processing")} processing.");
            string[] Row(JsonElement r, string name) => [Table.Cell(r, name), Table.Cell(r, "queued"), Table.Cell(r, "processing"), Table.Cell(r, "oldest_queued_age_seconds")];
            Table.Write(["MODEL", "QUEUED", "PROCESSING", "OLDEST WAITING (S)"], answer.GetProperty("models").EnumerateArray().Select(r => Row(r, "model")));
            Table.Write(["NAMESPACE", "QUEUED", "PROCESSING", "OLDEST WAITING (S)"], answer.GetProperty("namespaces").EnumerateArray().Select(r => Row(r, "namespace")));
            Table.Write(["WORKER", "PROCESSING"], answer.GetProperty("workers").EnumerateArray().Select(w => new[] { Table.Cell(w, "worker"), Table.Cell(w, "processing") }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int ShowLimits(Invocation invocation, JsonElement answer)
    {
        if (invocation.Output.Json) return Show(invocation, answer);
        var document = Output.ObjectOf(answer);
        invocation.Output.Result($"{document["scope"]}\nstored:    {LimitOptions.Describe(document["stored"])}\nin force:  {LimitOptions.Describe(document["effective"])}");
        return ExitCodes.Ok;
    }

    private static int Show(Invocation invocation, JsonElement answer)
    {
        invocation.Output.Document(answer);
        return ExitCodes.Ok;
    }

    private static string CheckedNamespace(string ns) => ApiKeyFormat.IsValidNamespace(ns)
        ? ns
        : throw new UsageException($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");

    private static DateOnly? Day(string? text, string option) => text is null
        ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new UsageException($"{option} '{text}' is not a day; give it as YYYY-MM-DD (UTC)");

    private static string Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(v.GetInt64()).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "";
}
