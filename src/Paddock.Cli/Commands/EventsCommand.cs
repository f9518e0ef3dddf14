using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Cli.CommandLine;
using Paddock.Cli.Remote;
using Paddock.Client;

namespace Paddock.Cli.Commands;

/// <summary>
/// <c>paddock events [--last-event-id N] [--generation ID]</c>: the namespace's event stream, one event per line, until
/// Ctrl-C. It reconnects with <c>Last-Event-ID</c>, so nothing is missed or repeated across a dropped connection, and
/// keeps trying while the server is down (a restart, a deploy) instead of giving up.
/// With <c>--generation</c> only that generation's events are shown, from the start of the log, and the command ends
/// when it does (exit 0 when it succeeded, 1 when it failed or was cancelled).
/// </summary>
internal static class EventsCommand
{
    private static readonly Option<long?> LastEventId = CliOption.WholeNumber("--last-event-id", "N", "Start after this event (else: the last minute's completions, then new events)",
        text => $"--last-event-id must be an event id (a whole number), not '{text}'", NumberStyles.None);
    private static readonly Option<string> Generation = CliOption.Text("--generation", "ID", "Only this generation's events, from its first; ends with it (exit 0 succeeded, 1 not)");

    public static PaddockCommand Create()
    {
        var command = new PaddockCommand("events", "The namespace's events, one per line, until Ctrl-C; waits out server restarts")
        {
            WordsExtra = "events takes no words, only options: [--last-event-id N] [--generation ID]",
        };
        command.Add(LastEventId);
        command.Add(Generation);
        RemoteOptions.AddTo(command);
        command.SetAction((parse, _) => Invocation.RunAsync(parse, RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(Invocation invocation)
    {
        var lastEventId = invocation.Value(LastEventId);
        var generation = invocation.Value(Generation);
        var reconnection = new Reconnection(invocation.Connection.Server);
        if (generation is not null)
        {
            while (true)
            {
                try
                {
                    await invocation.Client.GetGenerationAsync(generation); // an unknown id fails now, not after waiting forever
                    break;
                }
                catch (PaddockException e) when (Reconnection.IsOutage(e))
                {
                    await reconnection.WaitAsync(e);
                }
            }
            lastEventId ??= 0; // from the start of the log: its events may predate this command
        }

        // The SDK reconnects by itself but gives up after its retries, a few seconds; a follow command waits out a
        // server restart, and resumes after the last event it showed, so nothing is missed or repeated.
        while (true)
        {
            try
            {
                await foreach (var e in invocation.Client.StreamEventsAsync(lastEventId))
                {
                    reconnection.Heard();
                    if (e.Id is { } id) lastEventId = id;
                    if (generation is not null && !string.Equals(e.GenerationId, generation, StringComparison.OrdinalIgnoreCase)) continue;
                    if (invocation.Output.Json) invocation.Output.JsonLine(ToJson(e));
                    else Console.Out.WriteLine(Describe(e));
                    if (generation is not null && e.IsTerminal)
                        return e.EventType == PaddockEventTypes.GenerationCompleted && e.Status == GenerationStatus.Succeeded ? ExitCodes.Ok : ExitCodes.GenerationFailed;
                }
            }
            catch (PaddockException e) when (Reconnection.IsOutage(e))
            {
                await reconnection.WaitAsync(e);
            }
        }
    }

    private static JsonObject ToJson(PaddockEvent e) => new()
    {
        ["id"] = e.Id is { } id ? JsonValue.Create(id) : JsonValue.Create(e.RawId),
        ["event"] = e.EventType,
        ["data"] = e.Data.ValueKind == JsonValueKind.Undefined ? JsonValue.Create(e.RawData) : JsonNode.Parse(e.Data.GetRawText()),
    };

    /// <summary>One line: id, type, generation, then what the event tells (status, phase and percent, URL or error).</summary>
    private static string Describe(PaddockEvent e)
    {
        var text = new StringBuilder();
        text.Append(e.RawId ?? "-").Append(' ').Append(e.EventType);
        if (e.GenerationId is not null) text.Append(' ').Append(e.GenerationId);
        if (e.Status.IsKnown) text.Append(' ').Append(e.Status.ToString());
        if (e.EventType == PaddockEventTypes.GenerationProgress && e.ToProgress() is { } p)
        {
            if (p.Phase is not null) text.Append(' ').Append(p.Phase);
            if (p.Percent is { } percent) text.Append(CultureInfo.InvariantCulture, $" {percent:0}%");
        }
        if (e.Url is not null) text.Append(' ').Append(e.Url);
        if (e.Error is not null) text.Append(" error: ").Append(e.Error.ReplaceLineEndings(" "));
        if (e.GenerationId is null && e.Data.ValueKind != JsonValueKind.Undefined) text.Append(' ').Append(e.RawData.ReplaceLineEndings(" "));
        return text.ToString();
    }
}
