using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Pool;
using Paddock.Engines.ComfyUI.Protocol;

namespace Paddock.Engines.ComfyUI.Rendering;

/// <summary>How a prompt ended, as its history entry (or its absence) says.</summary>
internal abstract record PromptEnd
{
    public sealed record Succeeded(ComfyFile Output) : PromptEnd;

    /// <summary>A node raised (execution_error), the server interrupted it, or it finished without our output.</summary>
    public sealed record Failed(string Message) : PromptEnd;

    /// <summary>Neither queued nor in history: the server restarted (it keeps both in memory) or never got it.</summary>
    public sealed record Lost : PromptEnd;

    /// <summary>The pass's time ran out while the prompt was still queued or running.</summary>
    public sealed record TimedOut : PromptEnd;
}

/// <summary>
/// Follows one prompt on one server to its end: progress from the <c>/ws</c> socket (<c>progress</c> value/max per
/// sampler step, <c>execution_start</c>, the terminal messages), the end itself from <c>/history/{id}</c>, read when the
/// socket says it is over and also every few poll intervals as a backstop — and every poll interval, with
/// <c>/queue</c>, while the socket is down (reconnecting meanwhile). Order of messages and their fields:
/// docs/providers/comfyui.md, "WebSocket".
/// </summary>
internal sealed class PromptFollower(PoolMember member, string clientId, string promptId, string outputNode, string outputKey,
    ComfyUIOptions options, TimeProvider time)
{
    /// <summary>Called with the prompt's progress on its server: started (running) or not, and the sampler's fraction.</summary>
    public Action<bool, double>? Progress { get; init; }

    /// <summary>Called once when the socket drops and the follower falls back to polling.</summary>
    public Action? SocketLost { get; init; }

    public async Task<PromptEnd> FollowAsync(ComfySocket? socket, DateTimeOffset deadline, CancellationToken ct)
    {
        var started = false;
        var best = 0.0;
        var finishing = false;
        var lostReported = false;
        var nextPoll = time.GetUtcNow() + Interval(socket, finishing: false);
        var nextReconnect = time.GetUtcNow();
        try
        {
            while (true)
            {
                var now = time.GetUtcNow();
                if (now >= deadline) return new PromptEnd.TimedOut();
                if (socket is null && now >= nextReconnect)
                {
                    nextReconnect = now + options.PollInterval * 2;
                    try
                    {
                        socket = await ComfySocket.ConnectAsync(member.BaseUri, clientId, options.ConnectTimeout, ct).ConfigureAwait(false);
                    }
                    catch (MemberUnreachableException)
                    {
                        socket = null;  // the poll below says whether the server itself is gone
                    }
                }
                if (now >= nextPoll)
                {
                    if (await HistoryEndAsync(ct).ConfigureAwait(false) is { } end) return end;
                    switch (await member.Client.FindInQueueAsync(promptId, ct).ConfigureAwait(false))
                    {
                        case QueuePlace.Absent:
                            // It may have finished between the two reads: history is written before it leaves the queue.
                            return await HistoryEndAsync(ct).ConfigureAwait(false) ?? new PromptEnd.Lost();
                        case QueuePlace.Running when !started:
                            started = true;
                            Progress?.Invoke(true, best);
                            break;
                        case QueuePlace.Pending when !started:
                            Progress?.Invoke(false, 0);
                            break;
                    }
                    nextPoll = time.GetUtcNow() + Interval(socket, finishing);
                    continue;
                }

                if (socket is null)
                {
                    var until = nextPoll < nextReconnect ? nextPoll : nextReconnect;
                    await Task.Delay(Max(until - now, TimeSpan.FromMilliseconds(10)), time, ct).ConfigureAwait(false);
                    continue;
                }
                JsonObject? message;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(Max(nextPoll - now, TimeSpan.FromMilliseconds(10)));
                    try
                    {
                        message = await socket.ReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        continue;  // time to poll
                    }
                }
                if (message is null)
                {
                    // The socket dropped: what it would have said is gone; history and the queue say how it ends.
                    await socket.DisposeAsync().ConfigureAwait(false);
                    socket = null;
                    nextPoll = time.GetUtcNow();
                    nextReconnect = nextPoll + options.PollInterval * 2;
                    if (!lostReported) SocketLost?.Invoke();
                    lostReported = true;
                    continue;
                }
                var data = message["data"] as JsonObject;
                if (data?["prompt_id"]?.ToString() != promptId) continue;  // status broadcasts, other prompts
                switch (message["type"]?.ToString())
                {
                    case "execution_start":
                        started = true;
                        Progress?.Invoke(true, best);
                        break;
                    case "progress" when Number(data["value"]) is { } value && Number(data["max"]) is > 0 and var max:
                        started = true;
                        best = Math.Max(best, Math.Clamp(value / max, 0, 1));
                        Progress?.Invoke(true, best);
                        break;
                    case "execution_success" or "execution_error" or "execution_interrupted":
                    case "executing" when data.ContainsKey("node") && data["node"] is null:
                        // Over: the history entry follows at once (task_done runs right after these messages).
                        finishing = true;
                        nextPoll = time.GetUtcNow();
                        break;
                }
            }
        }
        finally
        {
            if (socket is not null) await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The end of the prompt from its history entry, or null while it has none.</summary>
    private async Task<PromptEnd?> HistoryEndAsync(CancellationToken ct) =>
        await member.Client.HistoryAsync(promptId, ct).ConfigureAwait(false) is { } entry ? EndOf(entry) : null;

    /// <summary>
    /// Reads a history entry: success with the output node's file, or the failure the last status message names
    /// (execution_error carries the node's exception message; execution_interrupted says where it stopped).
    /// </summary>
    internal PromptEnd EndOf(JsonObject entry)
    {
        var status = entry["status"] as JsonObject;
        if (status?["status_str"]?.ToString() == "success")
        {
            return ComfyFile.From(entry["outputs"]?[outputNode]?[outputKey]?[0]) is { } file
                ? new PromptEnd.Succeeded(file)
                : new PromptEnd.Failed($"ComfyUI at {member.BaseUri} finished prompt {promptId} but its output node {outputNode} saved no file (history has no outputs.{outputNode}.{outputKey})");
        }
        var last = (status?["messages"] as JsonArray)?.LastOrDefault() as JsonArray;
        var kind = last?[0]?.ToString();
        var data = last?.Count > 1 ? last[1] as JsonObject : null;
        var node = $"node {data?["node_id"]} ({data?["node_type"]})";
        return kind switch
        {
            "execution_error" => new PromptEnd.Failed(
                $"ComfyUI at {member.BaseUri}: {node} raised {data?["exception_type"]}: {OneLine(data?["exception_message"]?.ToString())}"),
            "execution_interrupted" => new PromptEnd.Failed(
                $"ComfyUI at {member.BaseUri} interrupted prompt {promptId} at {node}: it was cancelled on that server, not through Paddock"),
            _ => new PromptEnd.Failed($"ComfyUI at {member.BaseUri} ended prompt {promptId} with status '{status?["status_str"]}' and no reason"),
        };
    }

    private TimeSpan Interval(ComfySocket? socket, bool finishing) =>
        finishing ? TimeSpan.FromMilliseconds(Math.Min(200, options.PollInterval.TotalMilliseconds))
        : socket is { IsOpen: true } ? options.PollInterval * 5 : options.PollInterval;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>A node's message with its lines joined (the server appends tips after a newline), for one status line.</summary>
    private static string OneLine(string? text) =>
        string.Join(" ", (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
