using System.Text.Json.Nodes;

namespace Paddock.Fakes.ComfyUI.Queue;

/// <summary>
/// One queued prompt: the tuple execution.PromptQueue keeps, (number, prompt_id, prompt, extra_data, outputs_to_execute),
/// which /queue and /history serve as a five-element array.
/// </summary>
internal sealed record QueueItem(JsonNode Number, double Priority, long Arrival, string PromptId, JsonObject Prompt, JsonObject ExtraData, IReadOnlyList<string> Outputs)
{
    public string? ClientId => ExtraData["client_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public JsonArray ToWire() =>
        [Number.DeepClone(), PromptId, Prompt.DeepClone(), ExtraData.DeepClone(), new JsonArray(Outputs.Select(o => (JsonNode?)o).ToArray())];
}

/// <summary>
/// The pending heap (lowest number first; a "front" prompt gets a negative number), the one running prompt, and the
/// history, as execution.PromptQueue keeps them. History holds at most 10,000 prompts (MAXIMUM_HISTORY_SIZE) and,
/// like the real server's, lives only in memory.
/// </summary>
internal sealed class PromptQueue(Action queueUpdated)
{
    private const int MaximumHistorySize = 10000;
    private readonly object _gate = new();
    private readonly List<QueueItem> _pending = [];
    private readonly OrderedDictionary<string, JsonObject> _history = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private QueueItem? _running;
    private long _arrivals;

    public long NextArrival() => Interlocked.Increment(ref _arrivals);

    public void Put(QueueItem item)
    {
        lock (_gate)
        {
            _pending.Add(item);
            _pending.Sort(static (a, b) => a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority) : a.Arrival.CompareTo(b.Arrival));
        }
        // As PromptQueue.put: the status message goes out before the worker can wake and announce the start.
        queueUpdated();
        _available.Release();
    }

    /// <summary>Waits for the first pending prompt and makes it the running one.</summary>
    public async Task<QueueItem> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct).ConfigureAwait(false);
            QueueItem? item = null;
            lock (_gate)
            {
                if (_pending.Count > 0)
                {
                    item = _pending[0];
                    _pending.RemoveAt(0);
                    _running = item;
                }
            }
            if (item is null) continue;  // it was deleted from the queue before it could start
            queueUpdated();
            return item;
        }
    }

    /// <summary>task_done: the running prompt moves to history.</summary>
    public void Finish(QueueItem item, JsonObject historyEntry)
    {
        lock (_gate)
        {
            if (_running == item) _running = null;
            if (_history.Count > MaximumHistorySize) _history.RemoveAt(0);
            _history[item.PromptId] = historyEntry;  // a resubmitted prompt_id overwrites its entry in place, as dict assignment does
        }
        queueUpdated();
    }

    public QueueItem? Running
    {
        get { lock (_gate) return _running; }
    }

    public (List<QueueItem> Running, List<QueueItem> Pending) Snapshot()
    {
        lock (_gate) return (_running is null ? [] : [_running], [.. _pending]);
    }

    public int Remaining
    {
        get { lock (_gate) return _pending.Count + (_running is null ? 0 : 1); }
    }

    /// <summary>delete_queue_item: removes the first pending prompt with that id; a running one is not touched.</summary>
    public bool Delete(string promptId)
    {
        bool removed;
        lock (_gate)
        {
            var index = _pending.FindIndex(p => p.PromptId == promptId);
            removed = index >= 0;
            if (removed) _pending.RemoveAt(index);
        }
        if (removed) queueUpdated();
        return removed;
    }

    public int Clear()
    {
        int count;
        lock (_gate)
        {
            count = _pending.Count;
            _pending.Clear();
        }
        queueUpdated();
        return count;
    }

    public JsonObject History(string promptId)
    {
        lock (_gate)
            return _history.TryGetValue(promptId, out var entry) ? new JsonObject { [promptId] = entry.DeepClone() } : [];
    }

    /// <summary>get_history(max_items, offset): offset -1 with max_items means "the last max_items".</summary>
    public JsonObject History(int? maxItems, int offset)
    {
        lock (_gate)
        {
            var result = new JsonObject();
            if (offset < 0 && maxItems is not null) offset = _history.Count - maxItems.Value;
            var i = 0;
            foreach (var (id, entry) in _history)
            {
                if (i >= offset)
                {
                    result[id] = entry.DeepClone();
                    if (maxItems is not null && result.Count >= maxItems) break;
                }
                i++;
            }
            return result;
        }
    }

    public void DeleteHistory(string promptId)
    {
        lock (_gate) _history.Remove(promptId);
    }

    public void ClearHistory()
    {
        lock (_gate) _history.Clear();
    }
}
