using System.Security.Cryptography;
using Paddock.Core.Engines;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Decoded references kept between renders: the same images rendered again — another seed or prompt, the other
/// generations of a <c>num_generations</c> request, a retry — are not decoded and cut out again (about a tenth of a
/// CPU-second for two small references at 1080P, more for large photos). Keyed by what decoding depends on and
/// nothing else: the image's bytes (SHA-256), its position ("Image 1") and the frame size. Bounded by the bytes of
/// pixels held, least recently used first out; an entry still used by a render is freed when that render returns it.
/// </summary>
internal sealed class DecodedReferences
{
    private readonly long _maxBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;

    public DecodedReferences(long maxBytes) => _maxBytes = maxBytes;

    /// <summary>Entries held now (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Bytes of pixels held now (for tests).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// The reference decoded for a frame of <paramref name="frameWidth"/> × <paramref name="frameHeight"/>: kept from an
    /// earlier render, or decoded now (outside the lock, so renders never wait on each other's decoding). Dispose the
    /// lease when the render is done with it.
    /// </summary>
    /// <exception cref="InvalidDataException">The image cannot be decoded (nothing is kept).</exception>
    public Lease Rent(ReferenceImage reference, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var key = new Key(Convert.ToHexString(SHA256.HashData(reference.Bytes ?? [])), reference.Index, frameWidth, frameHeight);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var found))
            {
                return Borrow(found);
            }
        }

        var member = ReferenceDecoder.Decode(reference, frameWidth, frameHeight);
        var entry = new Entry(key, member, SizeOf(member));
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var raced))
            {
                // Another render decoded the same image meanwhile: use that one, so only one copy is kept.
                member.Dispose();
                return Borrow(raced);
            }

            if (entry.Size > _maxBytes)
            {
                // Too large to keep at all: this render alone owns it.
                entry.Users = 1;
                entry.Evicted = true;
                return new Lease(this, entry);
            }

            _bytes += entry.Size;
            var node = _order.AddFirst(entry);
            _entries[key] = node;
            entry.Users = 1;
            EvictBeyondBound();
            return new Lease(this, entry);
        }
    }

    private Lease Borrow(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _order.AddFirst(node);
        node.Value.Users++;
        return new Lease(this, node.Value);
    }

    private void EvictBeyondBound()
    {
        while (_bytes > _maxBytes && _order.Last is { } oldest)
        {
            _order.RemoveLast();
            _entries.Remove(oldest.Value.Key);
            _bytes -= oldest.Value.Size;
            oldest.Value.Evicted = true;
            if (oldest.Value.Users == 0)
            {
                oldest.Value.Member.Dispose();
            }
        }
    }

    private void Return(Entry entry)
    {
        lock (_gate)
        {
            entry.Users--;
            if (entry.Users == 0 && entry.Evicted)
            {
                entry.Member.Dispose();
            }
        }
    }

    private static long SizeOf(CastMember member) =>
        ((long)member.Pixels.RowBytes * member.Pixels.Height)
        + (member.CutOut is { } cutOut ? 4L * cutOut.Sprite.Width * cutOut.Sprite.Height : 0);

    internal readonly record struct Key(string Hash, int Index, int FrameWidth, int FrameHeight);

    internal sealed class Entry(Key key, CastMember member, long size)
    {
        public Key Key { get; } = key;

        public CastMember Member { get; } = member;

        public long Size { get; } = size;

        /// <summary>Renders holding it now; guarded by the cache's lock.</summary>
        public int Users { get; set; }

        /// <summary>No longer in the cache: freed when its last user returns it.</summary>
        public bool Evicted { get; set; }
    }

    /// <summary>A render's use of one decoded reference; read-only while held (renders may share it).</summary>
    public sealed class Lease : IDisposable
    {
        private readonly DecodedReferences _owner;
        private readonly Entry _entry;
        private int _returned;

        internal Lease(DecodedReferences owner, Entry entry) => (_owner, _entry) = (owner, entry);

        public CastMember Member => _entry.Member;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _owner.Return(_entry);
            }
        }
    }
}
