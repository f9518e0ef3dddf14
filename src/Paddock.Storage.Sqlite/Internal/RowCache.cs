using System.Collections.Concurrent;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// Generation rows as last read, by id, each with the version it had (<see cref="Core.Generations.Generation.Version"/>):
/// a read that finds a row's id and version here takes the row as it is kept instead of reading its other columns and
/// building it again. Every write of a row changes its version (the schema's trigger), so a kept row that no longer is
/// the stored one is never found, only replaced. Bounded: past <see cref="Capacity"/> rows kept it starts again empty.
/// </summary>
internal sealed class RowCache
{
    /// <summary>A few pages of the largest size and the active lists of a few namespaces; about 1 KB a row.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<Guid, GenerationRow> _rows = new();
    private int _kept;

    public bool TryGet(Guid id, long version, out GenerationRow row) =>
        _rows.TryGetValue(id, out row) && row.Generation.Version == version;

    public void Keep(GenerationRow row)
    {
        if (row.Generation.Version == 0) return;
        if (Interlocked.Increment(ref _kept) > Capacity)
        {
            _rows.Clear();
            Interlocked.Exchange(ref _kept, 1);
        }
        _rows[row.Generation.Id] = row;
    }
}
