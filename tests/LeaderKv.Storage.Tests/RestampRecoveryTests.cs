using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

/// <summary>
/// A slot is logged again whenever a newer leader re-proposes it: the record's term is the term
/// the node accepted it in, and recovery keeps the last record per index.
/// </summary>
public sealed class RestampRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static LogEntry NoOp(long index, long term) => new(index, term, "", ReadOnlyMemory<byte>.Empty);

    private async Task LogAsync(params LogEntry[][] batches)
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: 4096));
        foreach (var batch in batches)
        {
            await log.AppendAsync(batch, CancellationToken.None);
        }
    }

    /// Goal: a slot re-stamped by a newer leader recovers with its latest accepted term and value,
    /// and the report counts what was superseded. Method: log 1..5 in term 1, then 3..5 again in
    /// term 2 (4 with another value, 5 as a no-op), recover.
    [Fact]
    public async Task A_re_stamped_slot_recovers_with_the_last_accepted_term_and_value()
    {
        await LogAsync(
            Range(1, 5),
            [Entry(3, term: 2), Entry(4, json: "\"chosen\"", term: 2), NoOp(5, 2)]);

        var recovered = await RecoverAndCloseAsync(_dir);

        AssertSameEntries([Entry(1), Entry(2), Entry(3, term: 2), Entry(4, json: "\"chosen\"", term: 2), NoOp(5, 2)], recovered.Entries);
        Assert.Equal(8, recovered.Report.RecordsRead);
        Assert.Equal(3, recovered.Report.RecordsSuperseded);
        Assert.Equal(2, recovered.Report.ValuesReplaced);
        Assert.Equal(5, recovered.Report.HighestIndex);
    }

    /// Goal: last-wins holds across segments and over several terms, in any index order. Method:
    /// one slot accepted in terms 1, 3 and 7, spread over small segments with other entries between.
    [Fact]
    public async Task The_last_of_several_re_stamps_across_segments_wins()
    {
        await LogAsync(
            [Entry(9, json: "\"t1\""), .. Padded(1, 3)],
            [.. Padded(4, 4), Entry(9, json: "\"t3\"", term: 3)],
            Padded(20, 4),
            [Entry(2, term: 7), Entry(9, json: "\"t3\"", term: 7)]);
        Assert.True(Segments(_dir).Length > 2);

        var recovered = await RecoverAndCloseAsync(_dir);

        var nine = Assert.Single(recovered.Entries, e => e.Index == 9);
        Assert.Equal(7, nine.Term);
        Assert.Equal("\"t3\"", Encoding.UTF8.GetString(nine.Value.Span));
        Assert.Equal(7, Assert.Single(recovered.Entries, e => e.Index == 2).Term);
        Assert.Equal(recovered.Entries.Select(e => e.Index).Order(), recovered.Entries.Select(e => e.Index));
        Assert.Equal(3, recovered.Report.RecordsSuperseded);
        Assert.Equal(2, recovered.Report.ValuesReplaced);
    }

    /// Goal: an accepted term that goes down for a slot is corruption, named with its file and
    /// offset, never silently resolved. Method: log index 4 in term 3, then in term 2.
    [Fact]
    public async Task A_later_record_with_a_lower_term_for_the_same_index_is_corruption()
    {
        await LogAsync(Range(1, 3), [Entry(4, term: 3)], [Entry(4, term: 2)]);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => RecoverAndCloseAsync(_dir));

        Assert.Contains("index 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("term 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("never go down", error.Message, StringComparison.Ordinal);
        Assert.Equal(Segments(_dir)[^1], error.Path);
        Assert.NotNull(error.Offset);
    }

    /// Goal: two values for one slot in one term is an invariant violation the log refuses too.
    /// Method: log index 2 twice in term 1 with different values.
    [Fact]
    public async Task Two_values_for_one_index_in_the_same_term_are_corruption()
    {
        await LogAsync([Entry(1), Entry(2, json: "\"a\"")], [Entry(2, json: "\"b\"")]);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => RecoverAndCloseAsync(_dir));

        Assert.Contains("twice in term 1", error.Message, StringComparison.Ordinal);
    }

    /// Goal: what the snapshot covers is not checked or kept: it may have been compacted away in part.
    /// Method: a lower-term repeat of a slot at or below the snapshot index, then recover.
    [Fact]
    public async Task Records_covered_by_the_snapshot_are_not_compared()
    {
        var first = await Recovery.NodeRecovery.RecoverAsync(_dir.Path, Options(), CancellationToken.None);
        await using (first.Log)
        {
            await first.Log.AppendAsync([Entry(1, term: 2), Entry(2, term: 2)], CancellationToken.None);
            await first.Log.AppendAsync([Entry(1, term: 1), Entry(3, term: 2)], CancellationToken.None);
            await first.Snapshots.WriteAsync(2, 2, [], CancellationToken.None);
        }

        var recovered = await RecoverAndCloseAsync(_dir);

        AssertSameEntries([Entry(3, term: 2)], recovered.Entries);
        Assert.Equal(3, recovered.Report.EntriesCoveredBySnapshot);
    }

    /// Goal: a no-op (empty key, empty value) is stored and read back as such, alone and among
    /// ordinary entries. Method: append no-ops, recover, and read them back for catch-up.
    [Fact]
    public async Task A_no_op_entry_with_empty_key_and_value_round_trips()
    {
        LogEntry[] written = [NoOp(1, 4), Entry(2, term: 4), NoOp(3, 4)];
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync(written, CancellationToken.None);
            var read = await log.ReadFromAsync(1, 10, CancellationToken.None);
            AssertSameEntries(written, read.Entries);
        }

        var recovered = await RecoverAndCloseAsync(_dir);

        AssertSameEntries(written, recovered.Entries);
        Assert.Equal("", recovered.Entries[0].Key);
        Assert.True(recovered.Entries[2].Value.IsEmpty);
    }

    /// Goal: the in-memory log takes no-ops with the same rules as the file log. Method: append and read one.
    [Fact]
    public async Task The_in_memory_log_accepts_a_no_op_entry()
    {
        await using var log = new InMemoryWriteAheadLog();
        await log.AppendAsync([NoOp(1, 2)], CancellationToken.None);

        AssertSameEntries([NoOp(1, 2)], (await log.ReadFromAsync(1, 10, CancellationToken.None)).Entries);
    }
}
