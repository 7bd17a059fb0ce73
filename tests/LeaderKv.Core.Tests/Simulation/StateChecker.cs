using System.Text;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>Which properties a run must keep. Weaker levels are for layouts where the design allows data loss.</summary>
public enum Guarantees
{
    /// <summary>Every safety property of DESIGN §3 and convergence after the faults heal.</summary>
    Full,

    /// <summary>
    /// W = 0 (best-effort recovery) and operator promotion accept data loss by design: a leader may
    /// recover from whoever answered and drop committed writes, and a node that forgot its term may
    /// lead a term its previous run led. What still must hold: no two different nodes lead one term,
    /// each node's visible state is contiguous from 1 and never rewrites an index it already showed,
    /// the core's own invariants never fire, and after healing a leader exists.
    /// </summary>
    DataLossAllowed,
}

/// <summary>
/// The safety and liveness properties of DESIGN §3/§6, checked after every step of a simulation
/// from what the replicas emit (applied entries, outcomes, leadership) and what they expose.
/// </summary>
public sealed class StateChecker(Guarantees guarantees, Func<string> describe)
{
    private readonly Dictionary<long, (string Id, long Incarnation)> _leaders = [];
    private readonly Dictionary<long, (string Value, string Node)> _applied = [];
    private readonly Dictionary<long, (LogEntry Entry, WriteVerdict Verdict)> _appliedWrites = [];
    private readonly Dictionary<long, string> _committed = [];
    private readonly HashSet<string> _notLogged = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Id, long Incarnation), (long VisibleThrough, Dictionary<long, string> Seen)> _visible = [];
    private readonly Dictionary<string, long> _lastCommittedOfKey = new(StringComparer.Ordinal);
    private long _highestCommitted;

    public Guarantees Guarantees { get; } = guarantees;

    public int CommittedCount => _committed.Count;

    public int AppliedCount => _applied.Count;

    /// <summary>An entry as the checker compares it: everything that decides its effect (operation, condition, idempotency key, deadline).</summary>
    public static string Describe(LogEntry entry)
    {
        if (entry.IsNoOp)
        {
            return "<no-op>";
        }

        var text = entry.IsDelete ? $"{entry.Key}<{entry.Op.ToString().ToLowerInvariant()}>" : $"{entry.Key}={Encoding.UTF8.GetString(entry.Value.Span)}";
        if (!entry.Condition.IsNone)
        {
            text += $" [{entry.Condition}]";
        }

        if (entry.IdempotencyKey is { } key)
        {
            text += $" [once {key}]";
        }

        return entry.ExpiresAtMs != 0 ? text + $" [until {entry.ExpiresAtMs}]" : text;
    }

    public void Fail(string what) => throw new SimulationViolation($"{what}\n{describe()}");

    /// <summary>At most one leader per term: the first (node, incarnation) seen leading a term owns it.</summary>
    public void OnLeader(long term, string id, long incarnation)
    {
        if (!_leaders.TryGetValue(term, out var owner))
        {
            _leaders[term] = (id, incarnation);
            return;
        }

        if (owner.Id != id || (owner.Incarnation != incarnation && Guarantees == Guarantees.Full))
        {
            Fail($"two leaders in term {term}: {owner.Id}/{owner.Incarnation} and {id}/{incarnation}");
        }
    }

    /// <summary>
    /// A node made entries visible (possibly after installing a snapshot): they must continue its
    /// visible prefix without a gap and agree with what every node applied at those indexes.
    /// </summary>
    public void OnApplied(string id, long incarnation, long visibleBefore, SnapshotImage? snapshot, IReadOnlyList<LogEntry> applied, IReadOnlyList<WriteVerdict> verdicts)
    {
        if (verdicts.Count != applied.Count)
        {
            Fail($"{id} applied {applied.Count} entries with {verdicts.Count} verdicts");
        }

        var key = (id, incarnation);
        if (!_visible.TryGetValue(key, out var state))
        {
            state = (visibleBefore, []);
        }

        if (snapshot is not null && snapshot.Index > state.VisibleThrough)
        {
            CheckSnapshot(id, snapshot);
            state.VisibleThrough = snapshot.Index;
        }

        for (var i = 0; i < applied.Count; i++)
        {
            var entry = applied[i];
            if (snapshot is not null && entry.Index == snapshot.Index + 1 && entry.Index > state.VisibleThrough + 1)
            {
                state.VisibleThrough = snapshot.Index;
            }

            if (entry.Index != state.VisibleThrough + 1)
            {
                Fail($"{id} applied {entry.Index} after {state.VisibleThrough}: its visible state is not a prefix");
            }

            var value = Describe(entry);
            if (state.Seen.TryGetValue(entry.Index, out var shown) && shown != value)
            {
                Fail($"{id} showed {shown} at {entry.Index} and then {value}");
            }

            state.Seen[entry.Index] = value;
            state.VisibleThrough = entry.Index;
            RecordApplied(id, entry.Index, value);
            RecordVerdict(id, entry, verdicts[i]);
        }

        _visible[key] = state;
    }

    /// <summary>A leader answered a write "not logged" (a rejection): that value must never become visible anywhere.</summary>
    public void OnNotLogged(string value)
    {
        // Only a put without an idempotency key is told apart by its description (its value is unique
        // per proposal): a delete's repeats, and a retry of an idempotent write may log the same one again.
        var op = value.IndexOfAny(['=', '<']);
        if (op < 0 || value[op] != '=' || value.Contains(" [once ", StringComparison.Ordinal))
        {
            return;
        }

        _notLogged.Add(value);
        if (_applied.Values.Any(a => a.Value == value))
        {
            Fail($"{value} was answered not logged, but it is applied");
        }
    }

    private void RecordApplied(string id, long index, string value)
    {
        if (_notLogged.Contains(value))
        {
            Fail($"{id} applied {value} at {index}, a write its leader answered not logged");
        }

        if (_applied.TryGetValue(index, out var first))
        {
            if (first.Value != value && Guarantees == Guarantees.Full)
            {
                Fail($"index {index}: {first.Node} applied {first.Value}, {id} applied {value}");
            }
        }
        else
        {
            _applied[index] = (value, id);
        }

        if (Guarantees == Guarantees.Full && _committed.TryGetValue(index, out var committed) && committed != value)
        {
            Fail($"index {index}: answered committed with {committed}, but {id} applied {value}");
        }
    }

    /// <summary>Every node that applies an index reaches the same verdict there (a condition is decided in index order, the same everywhere).</summary>
    private void RecordVerdict(string id, LogEntry entry, WriteVerdict verdict)
    {
        if (verdict.Index != entry.Index)
        {
            Fail($"{id} gave the verdict of {verdict.Index} to the entry at {entry.Index}");
        }

        if (Guarantees != Guarantees.Full)
        {
            return;
        }

        if (!_appliedWrites.TryGetValue(entry.Index, out var first))
        {
            _appliedWrites[entry.Index] = (entry, verdict);
        }
        else if (first.Verdict.Kind != verdict.Kind || first.Verdict.Before != verdict.Before || first.Verdict.After != verdict.After
            || first.Verdict.Original?.Index != verdict.Original?.Index)
        {
            Fail($"index {entry.Index} ({Describe(entry)}): verdicts differ between nodes: {first.Verdict} and {id}'s {verdict}");
        }
    }

    private void CheckSnapshot(string id, SnapshotImage snapshot)
    {
        foreach (var (key, versioned) in snapshot.Entries)
        {
            if (versioned.Index > snapshot.Index)
            {
                Fail($"{id} installed a snapshot through {snapshot.Index} holding {key} from index {versioned.Index}");
            }

            var value = $"{key}={Encoding.UTF8.GetString(versioned.Value.Span)}";
            if (Guarantees == Guarantees.Full && _appliedWrites.TryGetValue(versioned.Index, out var applied)
                && (applied.Entry.Key != key || applied.Entry.IsDelete || !applied.Entry.Value.Span.SequenceEqual(versioned.Value.Span)))
            {
                Fail($"{id} installed a snapshot with {value} at {versioned.Index}, but {Describe(applied.Entry)} was applied there");
            }
        }
    }

    /// <summary>A write was answered committed: it may never change, and whatever is applied at its index must be it.</summary>
    public void OnCommitted(long index, string value)
    {
        if (Guarantees != Guarantees.Full)
        {
            return;
        }

        if (_committed.TryGetValue(index, out var earlier) && earlier != value)
        {
            Fail($"index {index} answered committed twice with different values: {earlier}, then {value}");
        }

        _committed[index] = value;
        // "key=value" for a put, "key<delete>" (or <expire>) for a delete: see Describe.
        var key = value[..value.IndexOfAny(['=', '<'])];
        _lastCommittedOfKey[key] = Math.Max(_lastCommittedOfKey.GetValueOrDefault(key), index);
        _highestCommitted = Math.Max(_highestCommitted, index);
        if (_applied.TryGetValue(index, out var applied) && applied.Value != value)
        {
            Fail($"index {index}: answered committed with {value}, but {applied.Node} applied {applied.Value} there");
        }
    }

    /// <summary>Taken when a linearizable read is asked: the writes answered committed so far that it must show.</summary>
    public ReadFloor ReadFloor(string key) => new(_lastCommittedOfKey.GetValueOrDefault(key), _highestCommitted);

    /// <summary>
    /// A linearizable read was served with the node applied through <paramref name="appliedThrough"/> and
    /// <paramref name="key"/> at the write of index <paramref name="version"/> (null: absent). It may never
    /// show a value older than a write answered committed before it was asked, whichever leader answered it.
    /// </summary>
    public void OnLinearizableRead(string node, string key, ReadFloor floor, long appliedThrough, long? version)
    {
        if (Guarantees != Guarantees.Full)
        {
            return;
        }

        // The key's state after the last committed write to it (a failed condition or a replay leaves it
        // as it was, a delete leaves it absent), or a later one: anything else is older than that write.
        var shown = version ?? 0;
        var fresh = floor.KeyIndex == 0 || shown > floor.KeyIndex
            || !_appliedWrites.TryGetValue(floor.KeyIndex, out var last) || shown == last.Verdict.After
            || (shown == 0 && _appliedWrites.Any(w => w.Key > floor.KeyIndex && w.Value.Entry.Key == key && w.Value.Verdict.Changed && w.Value.Verdict.After == 0));
        if (!fresh)
        {
            Fail($"{node} served a linearizable read of {key} at version {version?.ToString() ?? "none"}, older than the write at {floor.KeyIndex} answered committed before the read was asked");
        }

        if (appliedThrough < floor.AnyIndex)
        {
            Fail($"{node} served a linearizable read applied through {appliedThrough}, below the write at {floor.AnyIndex} answered committed before the read was asked");
        }
    }

    /// <summary>After every step, for each live replica: the leader it claims to be, and a leader never shows more than it committed.</summary>
    public void CheckStep(Replica replica)
    {
        if (replica.IsLeader)
        {
            OnLeader(replica.Term, replica.Id, replica.Incarnation);
            if (replica.AppliedThrough > replica.CommitIndex)
            {
                Fail($"{replica.Id} applied through {replica.AppliedThrough} beyond its commit index {replica.CommitIndex}");
            }
        }
    }

    /// <summary>
    /// After the faults healed: one leader serving, every node at the same applied index with the
    /// same table, every committed write applied everywhere with its value, and each table the fold
    /// of the one history.
    /// </summary>
    public void CheckConverged(IReadOnlyList<Replica> nodes)
    {
        var leaders = nodes.Where(n => n.IsLeader && !n.IsRecovering).ToList();
        var top = nodes.Max(n => n.Term);
        if (!leaders.Any(l => l.Term == top))
        {
            Fail($"no leader serving after the faults healed (terms {string.Join(", ", nodes.Select(n => $"{n.Id}:{n.Term}/{n.Role}"))})");
        }

        if (Guarantees != Guarantees.Full)
        {
            return;
        }

        var applied = nodes[0].AppliedThrough;
        if (nodes.Any(n => n.AppliedThrough != applied))
        {
            Fail($"nodes did not converge: applied through {string.Join(", ", nodes.Select(n => $"{n.Id}:{n.AppliedThrough}"))}");
        }

        foreach (var (index, value) in _committed)
        {
            if (index > applied)
            {
                Fail($"committed write {value} at {index} is not applied (nodes applied through {applied})");
            }

            if (!_applied.TryGetValue(index, out var shown) || shown.Value != value)
            {
                Fail($"committed write {value} at {index} is not what was applied there ({(_applied.TryGetValue(index, out var s) ? s.Value : "nothing")})");
            }
        }

        // The fold, by a model of the conditional-write rules written apart from KeyValueTable: a condition
        // is checked against the key's version, a repeated idempotency key does nothing, a delete removes.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var once = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 1L; index <= applied; index++)
        {
            if (!_applied.TryGetValue(index, out _))
            {
                Fail($"index {index} is below every node's applied index but nobody reported applying it");
            }

            if (!_appliedWrites.TryGetValue(index, out var write) || write.Entry.IsNoOp)
            {
                continue;
            }

            var entry = write.Entry;
            var current = versions.GetValueOrDefault(entry.Key);
            var effect = entry.IdempotencyKey is { } key && !once.Add(key) ? WriteVerdictKind.Replayed
                : entry.Condition.Kind switch
                {
                    ConditionKind.IfIndex => current == entry.Condition.Index,
                    ConditionKind.IfAbsent => current == 0,
                    ConditionKind.IfExists => current != 0,
                    _ => true,
                } ? WriteVerdictKind.Applied : WriteVerdictKind.ConditionFailed;
            if (effect != write.Verdict.Kind)
            {
                Fail($"index {index} ({Describe(entry)}) was decided {write.Verdict.Kind}; the rules say {effect} (key at version {current})");
            }

            if (effect == WriteVerdictKind.Applied && entry.IsDelete)
            {
                expected.Remove(entry.Key);
                versions.Remove(entry.Key);
            }
            else if (effect == WriteVerdictKind.Applied)
            {
                expected[entry.Key] = Encoding.UTF8.GetString(entry.Value.Span);
                versions[entry.Key] = index;
            }
        }

        foreach (var node in nodes)
        {
            var table = node.Table.Entries.ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(e.Value.Value.Span), StringComparer.Ordinal);
            if (table.Count != expected.Count || table.Any(pair => !expected.TryGetValue(pair.Key, out var value) || value != pair.Value))
            {
                Fail($"{node.Id}'s table is not the fold of the applied history through {applied}");
            }
        }
    }
}
