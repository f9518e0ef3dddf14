using System.CommandLine;
using System.Globalization;
using System.Text;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock queue list|get ID|cancel ID|pin ID|unpin ID|delete ID</c>: the key's generations.</summary>
internal static class QueueCommand
{
    private const string Forms = "queue takes: list [--all] [--status S] [--model M] | get GENERATION_ID | cancel GENERATION_ID | pin GENERATION_ID | unpin GENERATION_ID | delete GENERATION_ID";

    private static readonly Option<bool> All = CliOption.Switch("--all", "Finished generations too (else only queued and running ones)");
    private static readonly Option<string> Status = CliOption.Text("--status", "S", "Only these statuses, e.g. queued,processing")
        .Suggest("queued", "processing", "succeeded", "failed", "cancelled");
    private static readonly Option<string> Model = CliOption.Text("--model", "M", "Only this model's generations");

    public static PaddockCommand Create()
    {
        var list = new PaddockCommand("list", "The key's generations, newest first") { WordsExtra = Forms };
        list.Add(All);
        list.Add(Status);
        list.Add(Model);
        list.SetAction((parse, _) => Invocation.RunAsync(parse, ListAsync));

        var command = new PaddockCommand("queue", "The key's generations: list them, show one, cancel one") { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(list);
        command.Add(WithId("get", "One generation in full", GetAsync));
        command.Add(WithId("cancel", "Cancel a generation (one that has ended is left as it is)", CancelAsync));
        command.Add(WithId("pin", "Keep a generation's video forever, whatever the server's retention", (invocation, id) => PinAsync(invocation, id, pinned: true)));
        command.Add(WithId("unpin", "Let a pinned generation's video expire under the retention again", (invocation, id) => PinAsync(invocation, id, pinned: false)));
        command.Add(WithId("delete", "Delete a finished generation and its video for good", DeleteAsync));
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, _ => throw new UsageException(Forms)));
        return command;
    }

    private static PaddockCommand WithId(string name, string description, Func<Invocation, string, Task<int>> run)
    {
        var id = new Argument<string>("GENERATION_ID") { Description = "The generation's id" };
        var command = new PaddockCommand(name, description) { WordsMissing = Forms, WordsExtra = Forms };
        command.Add(id);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, invocation => run(invocation, parse.GetRequiredValue(id))));
        return command;
    }

    private static async Task<int> ListAsync(Invocation invocation)
    {
        var options = new ListGenerationsOptions { AllStatuses = invocation.Value(All), Model = invocation.Value(Model) };
        foreach (var status in (invocation.Value(Status) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            options.Statuses.Add(new GenerationStatus(status));
        var list = await invocation.Client.ListGenerationsAsync(options);
        if (invocation.Output.Json)
        {
            invocation.Output.Document(list.Json);
            return ExitCodes.Ok;
        }
        if (list.Generations.Count == 0)
        {
            invocation.Output.Note(options.AllStatuses || options.Statuses.Count > 0 ? "No generations match." : "No active generations (add --all for finished ones).");
            return ExitCodes.Ok;
        }
        Table.Write(["GENERATION", "STATUS", "PROGRESS", "MODEL", "ENQUEUED", "PROMPT"], list.Generations.Select(g => new[]
        {
            g.Id, g.Status.ToString(), Progress(g), g.Model ?? "", When(g.EnqueuedAt), Table.Truncate(g.Prompt, 48),
        }));
        return ExitCodes.Ok;
    }

    private static async Task<int> GetAsync(Invocation invocation, string id)
    {
        var row = await invocation.Client.GetGenerationAsync(id);
        if (invocation.Output.Json) invocation.Output.Document(row.Json);
        else Console.Out.Write(Describe(row));
        return ExitCodes.Ok;
    }

    private static async Task<int> CancelAsync(Invocation invocation, string id)
    {
        var row = await invocation.Client.GetGenerationOperation(id).CancelAsync();
        if (invocation.Output.Json) invocation.Output.Document(row.Json);
        else if (row.Status == GenerationStatus.Cancelled) invocation.Output.Result($"Cancelled {row.Id}.");
        else invocation.Output.Result($"{row.Id} had already ended: {row.Status}.");
        return ExitCodes.Ok;
    }

    private static async Task<int> PinAsync(Invocation invocation, string id, bool pinned)
    {
        var row = pinned ? await invocation.Client.PinGenerationAsync(id) : await invocation.Client.UnpinGenerationAsync(id);
        if (invocation.Output.Json) invocation.Output.Document(row.Json);
        else if (row.Pinned) invocation.Output.Result($"Pinned {row.Id}: its video is kept until you delete it.");
        else invocation.Output.Result(row.ExpiresAt is { } at
            ? $"Unpinned {row.Id}: its video expires {at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}."
            : $"Unpinned {row.Id}: this server keeps videos until they are deleted.");
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(Invocation invocation, string id)
    {
        await invocation.Client.DeleteGenerationAsync(id);
        invocation.Output.Result($"Deleted {id} and its video.");
        return ExitCodes.Ok;
    }

    private static string Describe(Generation g)
    {
        var text = new StringBuilder();
        void Line(string name, object? value)
        {
            if (value is not null && value.ToString() is { Length: > 0 } shown) text.Append(CultureInfo.InvariantCulture, $"{name + ":",-16}{shown}\n");
        }
        Line("generation", g.Id);
        Line("status", g.Status);
        Line("progress", g.Status.IsTerminal ? null : Progress(g));
        Line("model", g.Model);
        Line("prompt", g.Prompt);
        for (var i = 0; i < g.ReferenceImages.Count; i++) Line($"image {i + 1}", g.ReferenceImages[i]);
        Line("aspect ratio", g.AspectRatio);
        Line("resolution", g.Resolution);
        Line("duration", g.Duration is { } d ? $"{d} s" : null);
        Line("seed", g.Seed);
        Line("namespace", g.TargetNamespace);
        Line("enqueued", g.EnqueuedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("started", g.StartedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("completed", g.CompletedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("attempt", g.Attempt);
        Line("error", g.ErrorMessage);
        Line("result url", g.ResultUrl);
        Line("url expires", g.ResultUrlExpiresAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("pinned", g.Pinned ? "yes (never expires)" : null);
        Line("expires", g.ExpiredAt is null ? g.ExpiresAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : null);
        Line("expired", g.ExpiredAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    internal static string Progress(Generation g)
    {
        var p = g.Progress;
        if (g.Status == GenerationStatus.Queued) return p.QueuePosition is { } position ? $"queued #{position}" : "queued";
        if (g.Status.IsTerminal) return p.Percent is { } done && g.Status == GenerationStatus.Succeeded ? $"{done:0}%" : "";
        var text = $"{(p.Phase ?? "").Replace('_', ' ')} {p.Percent ?? 0:0}%".Trim();
        return p.EtaSeconds is { } eta && eta > 0 ? $"{text} ETA {ProgressDisplay.Duration(eta)}" : text;
    }

    private static string When(DateTimeOffset? at) =>
        at?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
}
