using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock webhooks create|list|delete|rotate|deliveries|redeliver</c>: the key's webhook endpoints and their deliveries.</summary>
internal static class WebhooksCommand
{
    private const string Forms = "webhooks takes: create URL [--event E]... [--description TEXT] | list | delete WEBHOOK_ID | rotate WEBHOOK_ID | deliveries WEBHOOK_ID | deliveries --generation GENERATION_ID | redeliver DELIVERY_ID";

    private static readonly Option<string[]> Events = CliOption.Repeated("--event", "E", "An event the endpoint wants (repeat for several; default: completed and cancelled)")
        .Suggest("media_generation_completed", "media_generation_succeeded", "media_generation_failed", "media_generation_cancelled", "video.completed", "video.failed");
    private static readonly Option<string> Description = CliOption.Text("--description", "TEXT", "A note for people");
    private static readonly Option<string> Generation = CliOption.Text("--generation", "GENERATION_ID", "The deliveries of this generation (to every receiver)");

    public static PaddockCommand Create()
    {
        var url = new Argument<string>("URL") { Description = "The http(s) URL that receives the events" };
        var create = new PaddockCommand("create", "Create an endpoint; prints its id and its signing secret") { WordsMissing = Forms, WordsExtra = Forms };
        create.Add(url);
        create.Add(Events);
        create.Add(Description);
        create.SetAction((parse, _) => Invocation.RunAsync(parse, invocation => CreateAsync(invocation, parse.GetRequiredValue(url))));

        var list = new PaddockCommand("list", "The key's webhook endpoints") { WordsExtra = Forms };
        list.SetAction((parse, _) => Invocation.RunAsync(parse, ListAsync));

        var deliveryOf = new Argument<string>("WEBHOOK_ID") { Description = "The endpoint's id", Arity = ArgumentArity.ZeroOrOne };
        var deliveries = new PaddockCommand("deliveries", "The delivery log of an endpoint, or of a generation (--generation)") { WordsExtra = Forms };
        deliveries.Add(deliveryOf);
        deliveries.Add(Generation);
        deliveries.SetAction((parse, _) => Invocation.RunAsync(parse, invocation => DeliveriesAsync(invocation, parse.GetValue(deliveryOf))));

        var command = new PaddockCommand("webhooks", "Webhook endpoints of the key's namespace, and their deliveries") { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(create);
        command.Add(list);
        command.Add(WithId("delete", "WEBHOOK_ID", "Delete an endpoint (nothing more is sent to it)", async (i, id) => Show(i, await i.Client.DeleteWebhookAsync(id), $"Deleted {id}.")));
        command.Add(WithId("rotate", "WEBHOOK_ID", "Give an endpoint a new secret; the old one keeps signing for a while", RotateAsync));
        command.Add(deliveries);
        command.Add(WithId("redeliver", "DELIVERY_ID", "Send a delivery again now", async (i, id) => Show(i, await i.Client.RedeliverWebhookAsync(id), $"Redelivering {id}.")));
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand WithId(string name, string argument, string description, Func<Invocation, string, Task<int>> run)
    {
        var id = new Argument<string>(argument) { Description = "The id" };
        var command = new PaddockCommand(name, description) { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(id);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, invocation => run(invocation, parse.GetRequiredValue(id))));
        return command;
    }

    private static int Show(Invocation invocation, JsonElement answer, string text)
    {
        if (invocation.Output.Json) invocation.Output.Document(answer);
        else invocation.Output.Result(text);
        return ExitCodes.Ok;
    }

    private static async Task<int> CreateAsync(Invocation invocation, string url)
    {
        var events = invocation.Value(Events);
        var endpoint = await invocation.Client.CreateWebhookAsync(url, events is { Length: > 0 } ? events : null, invocation.Value(Description));
        return Show(invocation, endpoint, $"Created {Table.Cell(endpoint, "id")} for {Table.Cell(endpoint, "url")}\nsecret: {Table.Cell(endpoint, "secret")}  (verify each delivery's webhook-signature with it)");
    }

    private static async Task<int> RotateAsync(Invocation invocation, string id)
    {
        var endpoint = await invocation.Client.RotateWebhookSecretAsync(id);
        var until = endpoint.TryGetProperty("previous_secret_expires_at", out var e) && e.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(e.GetInt64()).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "now";
        return Show(invocation, endpoint, $"New secret for {id}: {Table.Cell(endpoint, "secret")}\nThe previous secret also signs until {until}.");
    }

    private static async Task<int> ListAsync(Invocation invocation)
    {
        var answer = await invocation.Client.ListWebhooksAsync();
        if (invocation.Output.Json) return Show(invocation, answer, "");
        var hooks = answer.GetProperty("webhooks").EnumerateArray().ToList();
        if (hooks.Count == 0)
        {
            invocation.Output.Note("No webhooks (paddock webhooks create URL makes one).");
            return ExitCodes.Ok;
        }
        Table.Write(["WEBHOOK", "URL", "EVENTS"], hooks.Select(h => new[]
        {
            Table.Cell(h, "id"), Table.Cell(h, "url"), string.Join(",", h.GetProperty("events").EnumerateArray().Select(x => x.GetString())),
        }));
        return ExitCodes.Ok;
    }

    private static async Task<int> DeliveriesAsync(Invocation invocation, string? webhookId)
    {
        var generation = invocation.Value(Generation);
        if ((webhookId is null) == (generation is null)) throw new UsageException("webhooks deliveries takes a WEBHOOK_ID or --generation GENERATION_ID (one of them)");
        var answer = await invocation.Client.ListWebhookDeliveriesAsync(webhookId, generation);
        if (invocation.Output.Json) return Show(invocation, answer, "");
        var rows = answer.GetProperty("deliveries").EnumerateArray().ToList();
        if (rows.Count == 0)
        {
            invocation.Output.Note("No deliveries.");
            return ExitCodes.Ok;
        }
        Table.Write(["DELIVERY", "GENERATION", "EVENT", "STATUS", "ATTEMPTS", "CODE", "URL"], rows.Select(d => new[]
        {
            Table.Cell(d, "id"), Table.Cell(d, "generation_id"), Table.Cell(d, "event"), Table.Cell(d, "status"), Table.Cell(d, "attempts"), Table.Cell(d, "response_code"), Table.Cell(d, "url"),
        }));
        return ExitCodes.Ok;
    }
}
