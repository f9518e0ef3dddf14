using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Paddock.Core.Generations;
using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>
/// What inserted generations add to the counters (<c>generation_counts</c>, <c>queue_lanes.queued</c>,
/// <c>video_budget</c>, <c>key_queues</c>), summed until <see cref="SqliteWriteContext"/> adds them: before any other
/// statement and before the commit, so nothing reads a counter without them. Insert triggers did this once per row;
/// summed, a round of enqueues adds to each counter once (schema version 15). Updates and deletes still count by trigger.
/// A sub-lane's last number (<c>queue_lanes.last_seq</c>) goes the same way: the round's first row of a sub-lane takes
/// its number from the table, the next ones count on from it here, and the last one given is written with the sums.
/// </summary>
internal sealed class InsertedRowCounts
{
    private readonly Dictionary<(string Namespace, string Model, string MediaType, string Status), long> _byStatus = [];
    private readonly Dictionary<(string Lane, int Priority, string Namespace), SubLaneSum> _bySubLane = [];
    /// <summary>Seconds of video by scope (a namespace's, or a key's when <c>IsKey</c>), resolution and UTC day (days since 1970).</summary>
    private readonly Dictionary<(bool IsKey, string Id, string Resolution, long Day), long> _videoSeconds = [];
    private readonly Dictionary<string, long> _queuedByKey = new(StringComparer.Ordinal);

    private static readonly string QueuedStatus = GenerationStatus.Queued.ToWire();

    private const long MillisecondsPerDay = 24 * 60 * 60 * 1000;

    public bool IsEmpty => _byStatus.Count == 0;

    /// <summary>
    /// The number after the last one this round gave in the sub-lane, when it gave one since the sums were last added;
    /// otherwise false, and the number comes from <c>queue_lanes</c> (which the sums then bring up to date).
    /// </summary>
    public bool TryNextLaneSeq(string lane, int priority, string ns, out long laneSeq)
    {
        var found = _bySubLane.TryGetValue((lane, priority, ns), out var sum);
        laneSeq = found ? sum.LastSeq + 1 : 0;
        return found;
    }

    /// <summary>A row inserted queued (the only way rows are inserted), numbered <paramref name="laneSeq"/> in its sub-lane.</summary>
    public void Add(NewGeneration row, string lane, long laneSeq, long enqueuedAtMilliseconds)
    {
        Increment(_byStatus, (row.Namespace, row.Model, row.MediaType, QueuedStatus), 1);
        ref var subLane = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySubLane, (lane, row.Priority, row.Namespace), out _);
        subLane = new SubLaneSum(subLane.Queued + 1, Math.Max(subLane.LastSeq, laneSeq));
        if (row.ApiKeyId is { } key) Increment(_queuedByKey, key, 1);
        if (row.VideoSeconds > 0)
        {
            var resolution = row.Resolution ?? "";
            // The UTC day of the enqueue; written as SQLite's date(enqueued_at / 1000, 'unixepoch') gives it, once per round.
            var day = Math.DivRem(enqueuedAtMilliseconds, MillisecondsPerDay, out var rest) - (rest < 0 ? 1 : 0);
            Increment(_videoSeconds, (false, row.Namespace, resolution, day), row.VideoSeconds);
            if (row.ApiKeyId is { } keyId) Increment(_videoSeconds, (true, keyId, resolution, day), row.VideoSeconds);
        }
    }

    /// <summary>Adds the sums to the counters with <paramref name="command"/> (a prepared statement that leaves them pending), then forgets them.</summary>
    public void AddTo(Func<string, SqliteCommand> command)
    {
        foreach (var ((ns, model, mediaType, status), count) in _byStatus)
        {
            Run(command, """
                INSERT INTO generation_counts (namespace, model, media_type, status, count) VALUES ($ns, $model, $media_type, $status, $n)
                ON CONFLICT (namespace, model, media_type, status) DO UPDATE SET count = count + excluded.count
                """, ("$ns", ns), ("$model", model), ("$media_type", mediaType), ("$status", status), ("$n", count));
        }
        foreach (var ((lane, priority, ns), sum) in _bySubLane)
        {
            // The round's first row of the sub-lane created its row (with its turn) when it took its number.
            Run(command, """
                UPDATE queue_lanes SET queued = queued + $n, last_seq = MAX(last_seq, $last_seq)
                WHERE lane = $lane AND priority = $priority AND namespace = $ns
                """, ("$lane", lane), ("$priority", priority), ("$ns", ns), ("$n", sum.Queued), ("$last_seq", sum.LastSeq));
        }
        foreach (var ((isKey, id, resolution, dayNumber), seconds) in _videoSeconds)
        {
            var scope = (isKey ? "key:" : "namespace:") + id;
            var day = DateTime.UnixEpoch.AddDays(dayNumber).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Run(command, """
                INSERT INTO video_budget (scope, resolution, day, seconds) VALUES ($scope, $resolution, $day, $n)
                ON CONFLICT (scope, resolution, day) DO UPDATE SET seconds = seconds + excluded.seconds
                """, ("$scope", scope), ("$resolution", resolution), ("$day", day), ("$n", seconds));
        }
        foreach (var (key, count) in _queuedByKey)
        {
            Run(command, """
                INSERT INTO key_queues (api_key_id, queued) VALUES ($key, $n)
                ON CONFLICT (api_key_id) DO UPDATE SET queued = queued + excluded.queued
                """, ("$key", key), ("$n", count));
        }
        Clear();
    }

    private static void Run(Func<string, SqliteCommand> command, string sql, params ReadOnlySpan<(string Name, object Value)> values)
    {
        var upsert = command(sql);
        foreach (var (name, value) in values)
            upsert.Parameters.Add(name, value);
        upsert.ExecuteNonQuery();
    }

    public void Clear()
    {
        _byStatus.Clear();
        _bySubLane.Clear();
        _videoSeconds.Clear();
        _queuedByKey.Clear();
    }

    private static void Increment<TKey>(Dictionary<TKey, long> sums, TKey key, long by) where TKey : notnull
    {
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, key, out _);
        sum += by;
    }

    /// <summary>A sub-lane's rows inserted this round: how many, and the last number given.</summary>
    private readonly record struct SubLaneSum(long Queued, long LastSeq);
}
