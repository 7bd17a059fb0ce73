using System.Text;

namespace LeaderKv.Core;

/// <summary>
/// The store a node serves: key → (raw JSON value, index of the write that set it, expiry deadline),
/// plus what the history decided beyond values: the idempotency records of recent writes and the
/// latest leader clock reading seen. Keeping the index lets a replayed or duplicated entry be
/// recognised as old, lets compare-and-set name versions, and lets snapshots say exactly which
/// history they contain. Deterministic: the same entries applied in the same order give the same
/// table and the same verdicts on every node (no clock, no hash-order dependence). Not thread-safe:
/// its owner serialises access.
/// </summary>
public sealed class KeyValueTable
{
    private readonly Dictionary<string, VersionedValue> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(long DeadlineMs, string Key)> _deadlines = new(DeadlineOrder.Instance);
    private readonly Dictionary<string, IdempotencyRecord> _idempotency = new(StringComparer.Ordinal);

    // Records in the order they were made (so by RecordedAtMs, which never goes down): the oldest is evicted first.
    private readonly Queue<IdempotencyRecord> _idempotencyOrder = new();
    private long _lastRecordedAtMs;

    public KeyValueTable(IdempotencyLimits? limits = null)
    {
        Limits = limits ?? IdempotencyLimits.Default;
    }

    public IdempotencyLimits Limits { get; }

    // Built on the first listing (a table never listed pays nothing), then kept up to date.
    private SortedKeys? _sorted;

    public int Count => _entries.Count;

    /// <summary>What the table holds, in bytes: every key in UTF-8 plus its value's JSON text (what MAX_DATA_BYTES bounds).</summary>
    public long Bytes { get; private set; }

    public IEnumerable<KeyValuePair<string, VersionedValue>> Entries => _entries;

    /// <summary>Idempotency records, oldest first (the order a snapshot keeps).</summary>
    public IEnumerable<IdempotencyRecord> IdempotencyRecords => _idempotencyOrder;

    public int IdempotencyCount => _idempotency.Count;

    /// <summary>
    /// The highest leader clock reading (<see cref="LogEntry.StampMs"/>) applied so far, Unix ms: the
    /// table's notion of "now" for ageing idempotency records, the same on every node.
    /// </summary>
    public long ClockMs { get; private set; }

    public bool TryGet(string key, out VersionedValue value) => _entries.TryGetValue(key, out value);

    /// <summary>The record of an earlier write with this idempotency key, while it is remembered.</summary>
    public bool TryGetIdempotency(string idempotencyKey, out IdempotencyRecord record) =>
        _idempotency.TryGetValue(idempotencyKey, out record!);

    /// <summary>
    /// Applies one entry and says what it did. Ordering is the caller's job: ordered mode applies by
    /// index, arrival-order mode on purpose does not. A condition that fails, or an idempotency key
    /// already recorded, makes the entry a committed write whose effect is nothing.
    /// </summary>
    public WriteVerdict Apply(LogEntry entry)
    {
        if (entry.IsNoOp)
        {
            return new WriteVerdict(entry.Index, WriteVerdictKind.NoOp, 0, 0);
        }

        ClockMs = Math.Max(ClockMs, entry.StampMs);
        var before = _entries.TryGetValue(entry.Key, out var current) ? current.Index : 0;
        if (entry.IdempotencyKey is { } idempotencyKey && _idempotency.TryGetValue(idempotencyKey, out var original))
        {
            Evict();
            return new WriteVerdict(entry.Index, WriteVerdictKind.Replayed, before, before, original);
        }

        WriteVerdict verdict;
        if (!entry.Condition.HoldsFor(before))
        {
            verdict = new WriteVerdict(entry.Index, WriteVerdictKind.ConditionFailed, before, before);
        }
        else if (entry.IsDelete)
        {
            Remove(entry.Key);
            verdict = new WriteVerdict(entry.Index, WriteVerdictKind.Applied, before, 0);
        }
        else
        {
            Set(entry.Key, new VersionedValue(entry.Value, entry.Index, entry.ExpiresAtMs));
            verdict = new WriteVerdict(entry.Index, WriteVerdictKind.Applied, before, entry.Index);
        }

        if (entry.IdempotencyKey is { } key)
        {
            Record(new IdempotencyRecord(key, entry.Index, verdict.Kind, verdict.After == 0 ? verdict.Before : verdict.After, WriteRequestHash.Of(entry), ClockMs));
        }

        Evict();
        return verdict;
    }

    /// <summary>Sets a key to a value recovered from a snapshot, keeping the index of the write that produced it.</summary>
    public void Set(string key, VersionedValue value)
    {
        // An overwrite keeps the key where it is (its bytes, its place in the sorted index); only a new key adds them.
        if (_entries.TryGetValue(key, out var old))
        {
            Bytes -= old.Value.Length;
            if (old.ExpiresAtMs > 0)
            {
                _deadlines.Remove((old.ExpiresAtMs, key));
            }
        }
        else
        {
            Bytes += Encoding.UTF8.GetByteCount(key);
            _sorted?.Add(key);
        }

        _entries[key] = value;
        Bytes += value.Value.Length;
        if (value.ExpiresAtMs > 0)
        {
            _deadlines.Add((value.ExpiresAtMs, key));
        }
    }

    /// <summary>Restores an idempotency record from a snapshot; records must come oldest first, as <see cref="IdempotencyRecords"/> lists them.</summary>
    public void RestoreIdempotency(IdempotencyRecord record)
    {
        Invariant.Check(!_idempotency.ContainsKey(record.IdempotencyKey), $"idempotency key '{record.IdempotencyKey}' restored twice");
        Invariant.Check(_lastRecordedAtMs <= record.RecordedAtMs, "idempotency records restored out of order");
        Record(record);
    }

    /// <summary>Restores <see cref="ClockMs"/> from a snapshot.</summary>
    public void RestoreClock(long clockMs) => ClockMs = Math.Max(ClockMs, clockMs);

    /// <summary>Keys whose deadline is at or before <paramref name="nowMs"/>, earliest first, with the version that carries the deadline.</summary>
    public IEnumerable<(string Key, long Index)> DueBy(long nowMs)
    {
        foreach (var (deadline, key) in _deadlines)
        {
            if (deadline > nowMs)
            {
                yield break;
            }

            yield return (key, _entries[key].Index);
        }
    }

    public void Clear()
    {
        _entries.Clear();
        _sorted = null;
        _deadlines.Clear();
        _idempotency.Clear();
        _idempotencyOrder.Clear();
        _lastRecordedAtMs = 0;
        ClockMs = 0;
        Bytes = 0;
    }

    /// <summary>
    /// How many bytes <see cref="Bytes"/> would grow by if <paramref name="key"/> got a value of
    /// <paramref name="valueBytes"/> (negative: it shrinks).
    /// </summary>
    public long GrowthOf(string key, int valueBytes) =>
        _entries.TryGetValue(key, out var held) ? valueBytes - held.Value.Length : Encoding.UTF8.GetByteCount(key) + valueBytes;

    /// <summary>
    /// How many bytes <see cref="Bytes"/> would grow by if <paramref name="op"/> were applied to
    /// <paramref name="key"/> with a value of <paramref name="valueBytes"/>: a delete or expiry never
    /// grows the table (it frees the key's bytes, or nothing when the key is absent).
    /// </summary>
    public long GrowthOf(WriteOp op, string key, int valueBytes) =>
        op == WriteOp.Put ? GrowthOf(key, valueBytes)
        : _entries.TryGetValue(key, out var held) ? -(Encoding.UTF8.GetByteCount(key) + held.Value.Length) : 0;

    /// <summary>
    /// Up to <paramref name="limit"/> entries whose key starts with <paramref name="prefix"/> and sorts
    /// (ordinally) after <paramref name="after"/>, in key order: one page of a listing.
    /// </summary>
    public List<KeyValuePair<string, VersionedValue>> List(string prefix, string? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _sorted ??= new SortedKeys(_entries.Keys);
        var start = after is not null && string.CompareOrdinal(after, prefix) >= 0 ? after : null;
        var page = new List<KeyValuePair<string, VersionedValue>>(Math.Min(limit, 1024));
        foreach (var key in start is null && prefix.Length > 0 ? _sorted.From(prefix) : _sorted.After(start))
        {
            if (page.Count >= limit || !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            page.Add(new(key, _entries[key]));
        }

        return page;
    }

    private void Remove(string key)
    {
        if (!_entries.Remove(key, out var old))
        {
            return;
        }

        Bytes -= Encoding.UTF8.GetByteCount(key) + old.Value.Length;
        _sorted?.Remove(key);
        if (old.ExpiresAtMs > 0)
        {
            _deadlines.Remove((old.ExpiresAtMs, key));
        }
    }

    private void Record(IdempotencyRecord record)
    {
        _lastRecordedAtMs = record.RecordedAtMs;
        _idempotency[record.IdempotencyKey] = record;
        _idempotencyOrder.Enqueue(record);
    }

    /// <summary>Forgets the oldest records beyond the count limit or older than the age limit, by the table's own clock.</summary>
    private void Evict()
    {
        var oldestKept = ClockMs - (long)Limits.MaxAge.TotalMilliseconds;
        while (_idempotencyOrder.TryPeek(out var oldest) && (_idempotencyOrder.Count > Limits.MaxRecords || oldest.RecordedAtMs < oldestKept))
        {
            _idempotencyOrder.Dequeue();
            _idempotency.Remove(oldest.IdempotencyKey);
        }
    }

    /// <summary>Deadline, then key by ordinal: a total order that is the same on every node.</summary>
    private sealed class DeadlineOrder : IComparer<(long DeadlineMs, string Key)>
    {
        public static DeadlineOrder Instance { get; } = new();

        public int Compare((long DeadlineMs, string Key) x, (long DeadlineMs, string Key) y)
        {
            var byDeadline = x.DeadlineMs.CompareTo(y.DeadlineMs);
            return byDeadline != 0 ? byDeadline : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}

/// <summary>A stored value, the index of the write that produced it (its version), and when it expires (Unix ms, 0: never).</summary>
public readonly record struct VersionedValue(ReadOnlyMemory<byte> Value, long Index, long ExpiresAtMs = 0);

/// <summary>What applying an entry did.</summary>
public enum WriteVerdictKind : byte
{
    /// <summary>A no-op entry: nothing was asked.</summary>
    NoOp = 0,

    /// <summary>The put or delete took effect (a delete of a missing key changes nothing: <see cref="WriteVerdict.Before"/> is 0).</summary>
    Applied = 1,

    /// <summary>The entry's condition did not hold for the key's version: nothing changed.</summary>
    ConditionFailed = 2,

    /// <summary>An earlier write carried the same idempotency key: nothing changed, <see cref="WriteVerdict.Original"/> is its record.</summary>
    Replayed = 3,
}

/// <summary>
/// The verdict of one applied entry. <see cref="Before"/> and <see cref="After"/> are the key's
/// version before and after (0: absent), so a watcher can tell a put from a delete from nothing.
/// </summary>
public readonly record struct WriteVerdict(long Index, WriteVerdictKind Kind, long Before, long After, IdempotencyRecord? Original = null)
{
    /// <summary>True when the entry changed the table.</summary>
    public bool Changed => Kind == WriteVerdictKind.Applied && (Before != 0 || After != 0);
}

/// <summary>
/// What a write with an <c>Idempotency-Key</c> was decided to be, kept in the replicated table so any
/// later leader answers a retry with it. <see cref="KeyIndex"/> is the key's version after a put (its own
/// index), the version a delete removed (0: the key did not exist), or, when its condition failed, the
/// version that failed it.
/// <see cref="RecordedAtMs"/> is the table's clock when it was applied; <see cref="RequestHash"/>
/// tells a retry from a different write reusing the key.
/// </summary>
public sealed record IdempotencyRecord(string IdempotencyKey, long Index, WriteVerdictKind Verdict, long KeyIndex, ulong RequestHash, long RecordedAtMs);

/// <summary>How many idempotency records a table keeps and for how long (by the leaders' clock in the entries). The same on every node.</summary>
public sealed record IdempotencyLimits(int MaxRecords, TimeSpan MaxAge)
{
    /// <summary>100,000 records, one hour: a client retrying an unknown write has an hour to do so.</summary>
    public static IdempotencyLimits Default { get; } = new(100_000, TimeSpan.FromHours(1));
}

/// <summary>
/// A stable 64-bit FNV-1a fingerprint of what a write asks (operation, key, value, condition; not its
/// deadline, which a retry recomputes), the same on every node and in every process.
/// </summary>
public static class WriteRequestHash
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(LogEntry entry) => Of(entry.Op == WriteOp.Expire ? WriteOp.Delete : entry.Op, entry.Key, entry.Value.Span, entry.Condition);

    public static ulong Of(WriteOp op, string key, ReadOnlySpan<byte> value, WriteCondition condition)
    {
        var hash = Offset;
        hash = Mix(hash, (byte)op);
        foreach (var c in key)
        {
            hash = Mix(hash, (byte)c);
            hash = Mix(hash, (byte)(c >> 8));
        }

        hash = Mix(hash, 0xff);
        foreach (var b in value)
        {
            hash = Mix(hash, b);
        }

        hash = Mix(hash, (byte)condition.Kind);
        for (var shift = 0; shift < 64; shift += 8)
        {
            hash = Mix(hash, (byte)(condition.Index >> shift));
        }

        return hash;
    }

    private static ulong Mix(ulong hash, byte b) => (hash ^ b) * Prime;
}
