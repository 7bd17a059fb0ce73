using System.Text;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Kv;

/// <summary>
/// The conditional-write rules of <see cref="KeyValueTable.Apply"/>: a condition is decided against the key's
/// version when the entry is applied; a failed one, or a repeated idempotency key, is applied with no effect.
/// The property tests check that the rules are deterministic (two tables, one sequence: the same tables and
/// verdicts, a snapshot in between included) and agree with a separate model of them.
/// </summary>
public class ConditionalWriteRulesTests
{
    [Fact]
    public void If_index_writes_only_over_that_version_and_a_failure_names_the_current_one()
    {
        var table = new KeyValueTable();
        table.Apply(Put(1, "k", "a"));

        var stale = table.Apply(Put(2, "k", "b") with { Condition = WriteCondition.IfIndex(7) });
        var fresh = table.Apply(Put(3, "k", "c") with { Condition = WriteCondition.IfIndex(1) });

        Assert.Equal(new WriteVerdict(2, WriteVerdictKind.ConditionFailed, 1, 1), stale);
        Assert.Equal(new WriteVerdict(3, WriteVerdictKind.Applied, 1, 3), fresh);
        Assert.Equal("c", Value(table, "k"));
        Assert.Equal(3, table.TryGet("k", out var v) ? v.Index : 0);
    }

    [Fact]
    public void Create_only_fails_on_an_existing_key_and_if_exists_fails_on_a_missing_one()
    {
        var table = new KeyValueTable();

        Assert.Equal(WriteVerdictKind.Applied, table.Apply(Put(1, "k", "a") with { Condition = WriteCondition.IfAbsent }).Kind);
        Assert.Equal(WriteVerdictKind.ConditionFailed, table.Apply(Put(2, "k", "b") with { Condition = WriteCondition.IfAbsent }).Kind);
        Assert.Equal(WriteVerdictKind.ConditionFailed, table.Apply(Put(3, "other", "x") with { Condition = WriteCondition.IfExists }).Kind);
        Assert.Equal("a", Value(table, "k"));
        Assert.False(table.TryGet("other", out _));
    }

    [Fact]
    public void A_delete_removes_the_key_a_delete_of_a_missing_key_changes_nothing_and_a_conditional_delete_can_fail()
    {
        var table = new KeyValueTable();
        table.Apply(Put(1, "k", "a"));

        var guarded = table.Apply(Delete(2, "k") with { Condition = WriteCondition.IfIndex(9) });
        var deleted = table.Apply(Delete(3, "k") with { Condition = WriteCondition.IfIndex(1) });
        var missing = table.Apply(Delete(4, "k"));
        var recreated = table.Apply(Put(5, "k", "b") with { Condition = WriteCondition.IfAbsent });

        Assert.Equal(WriteVerdictKind.ConditionFailed, guarded.Kind);
        Assert.Equal(new WriteVerdict(3, WriteVerdictKind.Applied, 1, 0), deleted);
        Assert.True(deleted.Changed);
        Assert.Equal(new WriteVerdict(4, WriteVerdictKind.Applied, 0, 0), missing);
        Assert.False(missing.Changed);
        Assert.Equal(5, recreated.After);
    }

    [Fact]
    public void A_repeated_idempotency_key_is_replayed_with_the_first_verdict_and_changes_nothing()
    {
        var table = new KeyValueTable();
        table.Apply(Put(1, "k", "a") with { IdempotencyKey = "r1", StampMs = 10 });
        table.Apply(Put(2, "k", "b"));

        var replay = table.Apply(Put(3, "k", "a") with { IdempotencyKey = "r1", StampMs = 20 });

        Assert.Equal(WriteVerdictKind.Replayed, replay.Kind);
        Assert.Equal(1, replay.Original!.Index);
        Assert.Equal(WriteVerdictKind.Applied, replay.Original.Verdict);
        Assert.Equal("b", Value(table, "k"));
    }

    [Fact]
    public void Idempotency_records_are_forgotten_by_count_and_by_the_leader_clock_in_the_entries_never_a_local_one()
    {
        var limits = new IdempotencyLimits(MaxRecords: 3, MaxAge: TimeSpan.FromSeconds(60));
        var table = new KeyValueTable(limits);
        for (var i = 1; i <= 4; i++)
        {
            table.Apply(Put(i, "k", "v") with { IdempotencyKey = $"r{i}", StampMs = 1000 * i });
        }

        Assert.False(table.TryGetIdempotency("r1", out _));
        Assert.True(table.TryGetIdempotency("r2", out _));

        // An entry stamped 61 s after r2 and r3 ages them out; r4 (at 4 s) is older than 60 s too, so only r5 stays.
        table.Apply(Put(5, "k", "v") with { IdempotencyKey = "r5", StampMs = 65_000 });
        Assert.Equal(["r5"], table.IdempotencyRecords.Select(r => r.IdempotencyKey));

        // A leader whose clock is behind does not bring the table's clock back.
        table.Apply(Put(6, "k", "v") with { StampMs = 1 });
        Assert.Equal(65_000, table.ClockMs);
    }

    [Fact]
    public void Deadlines_come_due_in_order_and_a_rewrite_without_ttl_clears_the_deadline()
    {
        var table = new KeyValueTable();
        table.Apply(Put(1, "a", "1") with { ExpiresAtMs = 5000 });
        table.Apply(Put(2, "b", "1") with { ExpiresAtMs = 3000 });
        table.Apply(Put(3, "c", "1") with { ExpiresAtMs = 9000 });
        table.Apply(Put(4, "c", "2"));

        Assert.Equal([("b", 2L), ("a", 1L)], table.DueBy(9000).ToList());
        Assert.Empty(table.DueBy(2999));
    }

    /// <summary>
    /// Goal: the verdict is a function of the history alone. Method: seeded random sequences of conditional
    /// puts and deletes (with idempotency keys, repeats and deadlines) applied in one order to two tables, the
    /// second rebuilt from a snapshot of itself half-way; tables, verdicts and records must be identical.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Two_tables_given_the_same_sequence_reach_the_same_tables_and_verdicts_even_through_a_snapshot(int seed)
    {
        var random = new Random(seed);
        var limits = new IdempotencyLimits(MaxRecords: 20, MaxAge: TimeSpan.FromSeconds(30));
        var first = new KeyValueTable(limits);
        var second = new KeyValueTable(limits);
        var entries = RandomHistory(random, 600);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(first.Apply(entries[i]), second.Apply(entries[i]));
            if (i == entries.Count / 2)
            {
                second = SnapshotImage.Of(second, entries[i].Index).ToTable(limits);
            }
        }

        Assert.Equal(Dump(first), Dump(second));
        Assert.Equal(first.IdempotencyRecords, second.IdempotencyRecords);
        Assert.Equal(first.ClockMs, second.ClockMs);
    }

    /// <summary>Goal: the table implements the rules as stated. Method: a model written separately from them, compared verdict by verdict.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void The_table_agrees_with_a_model_of_the_conditional_write_rules(int seed)
    {
        var random = new Random(seed);
        var table = new KeyValueTable();
        var model = new Dictionary<string, (string Value, long Index)>();
        var seen = new Dictionary<string, long>();
        foreach (var entry in RandomHistory(random, 800))
        {
            var verdict = table.Apply(entry);
            var current = model.TryGetValue(entry.Key, out var held) ? held.Index : 0;
            if (entry.IdempotencyKey is { } key && seen.TryGetValue(key, out var original))
            {
                Assert.Equal(WriteVerdictKind.Replayed, verdict.Kind);
                Assert.Equal(original, verdict.Original!.Index);
                continue;
            }

            var holds = entry.Condition.Kind switch
            {
                ConditionKind.None => true,
                ConditionKind.IfIndex => model.ContainsKey(entry.Key) && current == entry.Condition.Index,
                ConditionKind.IfAbsent => !model.ContainsKey(entry.Key),
                _ => model.ContainsKey(entry.Key),
            };
            Assert.Equal(holds ? WriteVerdictKind.Applied : WriteVerdictKind.ConditionFailed, verdict.Kind);
            Assert.Equal(current, verdict.Before);
            if (holds && entry.Op == WriteOp.Put)
            {
                model[entry.Key] = (Encoding.UTF8.GetString(entry.Value.Span), entry.Index);
            }
            else if (holds)
            {
                model.Remove(entry.Key);
            }

            if (entry.IdempotencyKey is { } recorded)
            {
                seen[recorded] = entry.Index;
            }
        }

        Assert.Equal(model.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Index}"), Dump(table));
    }

    /// <summary>Puts and deletes over four keys, half of them conditional (often on a version that was true a moment ago), some idempotent and repeated.</summary>
    private static List<LogEntry> RandomHistory(Random random, int count)
    {
        var versions = new Dictionary<string, long>();
        var entries = new List<LogEntry>();
        var idempotent = new List<LogEntry>();
        for (var index = 1; index <= count; index++)
        {
            if (idempotent.Count > 0 && random.NextDouble() < 0.08)
            {
                // A retry: the same write again, at a later index.
                entries.Add(idempotent[random.Next(idempotent.Count)] with { Index = index, StampMs = index * 100L });
                continue;
            }

            var key = $"k{random.Next(4)}";
            var condition = random.Next(6) switch
            {
                0 => WriteCondition.IfIndex(versions.GetValueOrDefault(key, 1) + random.Next(2)),
                1 => WriteCondition.IfAbsent,
                2 => WriteCondition.IfExists,
                _ => WriteCondition.None,
            };
            var entry = (random.Next(4) == 0 ? Delete(index, key) : Put(index, key, $"v{index}")) with
            {
                Condition = condition,
                StampMs = index * 100L,
                IdempotencyKey = random.Next(5) == 0 ? $"r{index}" : null,
                ExpiresAtMs = random.Next(5) == 0 ? index * 100L + 5000 : 0,
            };
            if (entry.IdempotencyKey is not null)
            {
                idempotent.Add(entry);
            }

            if (entry.Op == WriteOp.Put)
            {
                versions[key] = index;
            }

            entries.Add(entry);
        }

        return entries;
    }

    private static LogEntry Put(long index, string key, string value) => new(index, 1, key, Encoding.UTF8.GetBytes(value));

    private static LogEntry Delete(long index, string key) => new(index, 1, key, ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete };

    private static string Value(KeyValueTable table, string key) =>
        table.TryGet(key, out var value) ? Encoding.UTF8.GetString(value.Value.Span) : "<none>";

    private static List<string> Dump(KeyValueTable table) =>
        table.Entries.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Encoding.UTF8.GetString(p.Value.Value.Span)}@{p.Value.Index}").ToList();
}
