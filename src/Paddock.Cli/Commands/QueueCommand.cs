using System.Globalization;
using System.Text;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock queue list|get ID|cancel ID</c>: the key's generations.</summary>
internal static class QueueCommand
{
    private static readonly OptionSet Options = new(values: ["--status", "--model"], switches: ["--all"]);

    public static Task<int> RunAsync(string[] args) => Invocation.RunAsync("queue", args, Options, RunAsync);

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var words = invocation.Args.Positional;
        return (words.FirstOrDefault(), words.Count) switch
        {
            ("list", 1) => await ListAsync(invocation),
            ("get", 2) => await GetAsync(invocation, words[1]),
            ("cancel", 2) => await CancelAsync(invocation, words[1]),
            _ => throw new UsageException("queue takes: list [--all] [--status S] [--model M] | get GENERATION_ID | cancel GENERATION_ID"),
        };
    }

    private static async Task<int> ListAsync(Invocation invocation)
    {
        var args = invocation.Args;
        var options = new ListGenerationsOptions { AllStatuses = args.Has("--all"), Model = args.Value("--model") };
        foreach (var status in (args.Value("--status") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
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
        Line("url expires", g.ExpiresAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
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
