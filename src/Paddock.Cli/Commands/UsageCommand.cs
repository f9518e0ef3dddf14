using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Cli.Terminal;

namespace Paddock.Cli.Commands;

/// <summary><c>paddock usage [--from DAY] [--to DAY]</c>: what the key's namespace consumed, by day and model (<c>GET /api/usage</c>).</summary>
internal static class UsageCommand
{
    private static readonly Option<string> From = CliOption.Text("--from", "DAY", "The first UTC day, YYYY-MM-DD (default: 29 days before --to)");
    private static readonly Option<string> To = CliOption.Text("--to", "DAY", "The last UTC day, YYYY-MM-DD (default: today)");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("usage", "What the key's namespace consumed, by day and model: generations, seconds of video, wall time, attempts")
        {
            WordsExtra = "usage takes no arguments; give the days with --from and --to",
        };
        command.Add(From);
        command.Add(To);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var from = Day(invocation.Value(From), "--from");
        var to = Day(invocation.Value(To), "--to");
        if (from is { } f && to is { } t && f > t)
            throw new UsageException($"--from {Text(f)} is after --to {Text(t)}; give --from on or before --to");
        var report = await invocation.Client.GetUsageAsync(from, to);
        if (invocation.Output.Json)
        {
            invocation.Output.Document(report);
            return ExitCodes.Ok;
        }
        var rows = report["usage"]?.AsArray() ?? [];
        invocation.Output.Note($"Usage of namespace '{report["namespace"]}' from {report["from"]} to {report["to"]} (UTC days):");
        if (rows.Count == 0)
        {
            invocation.Output.Note("Nothing ended in these days.");
            return ExitCodes.Ok;
        }
        var lines = rows.Select(r => Line(r!.AsObject(), r["day"]!.ToString(), r["model"]!.ToString())).ToList();
        lines.Add(Line(report["totals"]!.AsObject(), "total", ""));
        Table.Write(["DAY", "MODEL", "GENERATIONS", "SUCCEEDED", "FAILED", "CANCELLED", "VIDEO SECONDS", "BY RESOLUTION", "WALL SECONDS", "ATTEMPTS"], lines);
        return ExitCodes.Ok;
    }

    private static string[] Line(JsonObject sums, string day, string model) =>
    [
        day, model, sums["generations"]!.ToString(), sums["succeeded"]!.ToString(), sums["failed"]!.ToString(), sums["cancelled"]!.ToString(),
        sums["video_seconds"]!.ToString(),
        string.Join(" ", (sums["video_seconds_by_resolution"] as JsonObject ?? []).Select(p => $"{p.Key}:{p.Value}")),
        sums["wall_seconds"]!.GetValue<double>().ToString("0.0", CultureInfo.InvariantCulture),
        sums["attempts"]!.ToString(),
    ];

    private static DateOnly? Day(string? text, string option)
    {
        if (text is null) return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new UsageException($"{option} '{text}' is not a day; give it as YYYY-MM-DD (UTC)");
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
