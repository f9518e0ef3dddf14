using System.Collections;
using System.Diagnostics;

namespace Paddock.Testing;

/// <summary>
/// Where an in-memory span exporter puts finished spans, safe to read while spans are added (the exporter adds from
/// whichever thread ends a span; a plain list would throw or tear when a test reads it meanwhile).
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get { lock (_gate) return _spans.Count; }
    }

    public bool IsReadOnly => false;

    /// <summary>The spans finished so far.</summary>
    public List<Activity> Snapshot()
    {
        lock (_gate) return [.. _spans];
    }

    public void Add(Activity item)
    {
        lock (_gate) _spans.Add(item);
    }

    public void Clear()
    {
        lock (_gate) _spans.Clear();
    }

    public bool Contains(Activity item)
    {
        lock (_gate) return _spans.Contains(item);
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_gate) _spans.CopyTo(array, arrayIndex);
    }

    public bool Remove(Activity item)
    {
        lock (_gate) return _spans.Remove(item);
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
