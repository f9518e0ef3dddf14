using System.Text.Json.Nodes;

namespace Paddock.Fakes.ComfyUI.Logging;

/// <summary>One thing the fake saw, in the order it saw it.</summary>
public abstract record LogEntry(long Sequence, DateTimeOffset At);

/// <summary>An HTTP request and the status the fake answered (written when the answer is complete).</summary>
public sealed record HttpRequestLogged(long Sequence, DateTimeOffset At, string Method, string Path, string Query, int Status) : LogEntry(Sequence, At);

/// <summary>A /ws upgrade; <see cref="ClientId"/> is the sid the server uses (the clientId asked for, or one it made up).</summary>
public sealed record WebSocketOpened(long Sequence, DateTimeOffset At, string ClientId, bool ClientIdGiven) : LogEntry(Sequence, At);

public sealed record WebSocketClosed(long Sequence, DateTimeOffset At, string ClientId, bool DroppedByServer) : LogEntry(Sequence, At);

/// <summary>A POST /prompt; <see cref="Accepted"/> says whether it was queued. The graph is the one received, before validation touched it.</summary>
public sealed record PromptSubmitted(long Sequence, DateTimeOffset At, string? PromptId, string? ClientId, JsonNode? Graph, bool Accepted, int Status, string? ErrorType) : LogEntry(Sequence, At);

public sealed record ImageUploaded(long Sequence, DateTimeOffset At, string FileName, string StoredName, string Subfolder, string Type, long Bytes, bool Overwrite) : LogEntry(Sequence, At);

public sealed record QueueDeleteRequested(long Sequence, DateTimeOffset At, IReadOnlyList<string> PromptIds, IReadOnlyList<string> Removed) : LogEntry(Sequence, At);

public sealed record QueueCleared(long Sequence, DateTimeOffset At, int Removed) : LogEntry(Sequence, At);

/// <summary>A POST /interrupt (PromptId null = global) or a jobs cancel; <see cref="Interrupted"/> says whether a running prompt was stopped.</summary>
public sealed record InterruptRequested(long Sequence, DateTimeOffset At, string? PromptId, bool Interrupted) : LogEntry(Sequence, At);

public enum PromptOutcome { Success, Error, Interrupted }

/// <summary>A prompt left the running slot; <see cref="ExecutedNodes"/> are the nodes that really ran (not served from cache).</summary>
public sealed record PromptFinished(long Sequence, DateTimeOffset At, string PromptId, PromptOutcome Outcome, IReadOnlyList<string> ExecutedNodes, IReadOnlyList<string> CachedNodes) : LogEntry(Sequence, At);

/// <summary>Everything the fake saw, for tests to read ("exactly one prompt queued for this generation").</summary>
public sealed class FakeComfyUILog
{
    private readonly object _gate = new();
    private readonly List<LogEntry> _entries = [];
    private readonly TimeProvider _time;
    private long _sequence;

    internal FakeComfyUILog(TimeProvider time) => _time = time;

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_gate) return [.. _entries]; }
    }

    public IReadOnlyList<HttpRequestLogged> Requests => Entries.OfType<HttpRequestLogged>().ToList();

    /// <summary>Prompts the server accepted into its queue, with their graphs.</summary>
    public IReadOnlyList<PromptSubmitted> QueuedPrompts => Entries.OfType<PromptSubmitted>().Where(p => p.Accepted).ToList();

    public IReadOnlyList<PromptSubmitted> PromptSubmissions => Entries.OfType<PromptSubmitted>().ToList();

    public IReadOnlyList<ImageUploaded> Uploads => Entries.OfType<ImageUploaded>().ToList();

    public IReadOnlyList<PromptFinished> Finished => Entries.OfType<PromptFinished>().ToList();

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }

    internal T Add<T>(Func<long, DateTimeOffset, T> make) where T : LogEntry
    {
        lock (_gate)
        {
            var entry = make(++_sequence, _time.GetUtcNow());
            _entries.Add(entry);
            return entry;
        }
    }
}
