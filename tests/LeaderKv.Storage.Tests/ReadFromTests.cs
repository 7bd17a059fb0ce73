using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

/// <summary>Catch-up reads, run against both logs: they share the contract.</summary>
public sealed class ReadFromTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Logs => ["file", "memory"];

    public void Dispose() => _dir.Dispose();

    /// Goal: a catch-up read returns the requested index onward, in order, bounded by maxEntries,
    /// across segment boundaries. Method: 3,000 ~1 KiB entries in 2 MiB segments (two segments, two
    /// checkpoints each, so reads seek into the middle of a segment), read from many starts.
    [Theory]
    [MemberData(nameof(Logs))]
    public async Task ReadFrom_returns_contiguous_entries_from_any_index_across_segments(string kind)
    {
        await using var log = Open(kind, segmentBytes: 2 * 1024 * 1024);
        var all = Padded(1, 3000);
        foreach (var chunk in all.Chunk(25))
        {
            await log.AppendAsync(chunk, CancellationToken.None);
        }

        foreach (var start in new long[] { 1, 2, 777, 1600, 2999, 3000 })
        {
            var read = await log.ReadFromAsync(start, 500, CancellationToken.None);
            Assert.False(read.Compacted);
            var expected = all.Skip((int)start - 1).Take(500);
            AssertSameEntries(expected, read.Entries);
        }

        Assert.Empty((await log.ReadFromAsync(3001, 10, CancellationToken.None)).Entries);
    }

    /// Goal: an index deleted after a snapshot is reported as compacted, so the leader sends a snapshot instead.
    /// Method: delete through an index, read below and at the new first index.
    [Theory]
    [MemberData(nameof(Logs))]
    public async Task ReadFrom_below_the_first_index_reports_compacted(string kind)
    {
        await using var log = Open(kind, segmentBytes: 4096);
        foreach (var chunk in Range(1, 400).Chunk(10))
        {
            await log.AppendAsync(chunk, CancellationToken.None);
        }

        await log.DeleteThroughAsync(200, CancellationToken.None);

        Assert.True(log.FirstIndex > 1);
        var below = await log.ReadFromAsync(log.FirstIndex - 1, 10, CancellationToken.None);
        Assert.True(below.Compacted);
        Assert.Empty(below.Entries);
        var at = await log.ReadFromAsync(log.FirstIndex, 10, CancellationToken.None);
        Assert.Equal(log.FirstIndex, at.Entries[0].Index);
    }

    /// Goal: ReadFrom refuses to resend from a log that is not contiguous rather than hand a follower a
    /// wrong history. Method: a follower-style log with a gap.
    [Theory]
    [MemberData(nameof(Logs))]
    public async Task ReadFrom_on_a_log_with_a_gap_throws_instead_of_skipping(string kind)
    {
        await using var log = Open(kind);
        await log.AppendAsync([Entry(1), Entry(2), Entry(4)], CancellationToken.None);

        await Assert.ThrowsAsync<StorageCorruptionException>(async () => await log.ReadFromAsync(1, 10, CancellationToken.None));
    }

    /// Goal: after an election the new leader's log holds re-proposed slots twice; a catch-up read
    /// returns each slot's latest acceptance (term and value), from any start and across segments.
    /// Method: 1..31 in term 1, then 21..31 re-proposed in term 2 (25 with another value, 26 a
    /// no-op), then 32..36 in term 2, one ~1 KiB entry per append in 4 KiB segments (three per
    /// segment, so one segment holds 31, 21 and 22 out of order); read from several starts.
    [Theory]
    [MemberData(nameof(Logs))]
    public async Task ReadFrom_returns_the_latest_acceptance_of_re_proposed_slots(string kind)
    {
        await using var log = Open(kind, segmentBytes: 4096);
        var firstTerm = Padded(1, 31);
        var reproposed = Padded(21, 11).Select(e => e.Index switch
        {
            25 => e with { Term = 2, Value = "\"recovered\""u8.ToArray() },
            26 => new Core.LogEntry(26, 2, "", ReadOnlyMemory<byte>.Empty),
            _ => e with { Term = 2 },
        }).ToArray();
        var after = Padded(32, 5).Select(e => e with { Term = 2 }).ToArray();
        foreach (var chunk in firstTerm.Concat(reproposed).Concat(after).Chunk(1))
        {
            await log.AppendAsync(chunk, CancellationToken.None);
        }

        var expected = firstTerm.Take(20).Concat(reproposed).Concat(after).ToArray();
        foreach (var start in new long[] { 1, 19, 21, 25, 31, 35 })
        {
            foreach (var max in new[] { 1, 4, 100 })
            {
                var read = await log.ReadFromAsync(start, max, CancellationToken.None);
                AssertSameEntries(expected.Skip((int)start - 1).Take(max), read.Entries);
            }
        }
    }

    /// Goal: a read refuses a slot whose accepted term goes down in log order. Method: log index 3 in term 2, then in term 1.
    [Theory]
    [MemberData(nameof(Logs))]
    public async Task ReadFrom_refuses_a_slot_whose_accepted_term_goes_down(string kind)
    {
        await using var log = Open(kind);
        await log.AppendAsync([Entry(1, term: 2), Entry(2, term: 2), Entry(3, term: 2)], CancellationToken.None);
        await log.AppendAsync([Entry(3, term: 1)], CancellationToken.None);

        await Assert.ThrowsAsync<StorageCorruptionException>(async () => await log.ReadFromAsync(1, 10, CancellationToken.None));
    }

    /// Goal: the file log's reads see appends made after reopening, from the recovered segments on. Method: reopen and read across.
    [Fact]
    public async Task ReadFrom_after_reopening_spans_old_and_new_records()
    {
        await using (var log = Open("file", segmentBytes: 4096))
        {
            await log.AppendAsync(Range(1, 150), CancellationToken.None);
        }

        await using (var log = Open("file", segmentBytes: 4096))
        {
            await log.AppendAsync(Range(151, 50), CancellationToken.None);
            AssertSameEntries(Range(100, 101), (await log.ReadFromAsync(100, 1000, CancellationToken.None)).Entries);
        }
    }

    /// Goal: a catch-up read racing appends, rolls and deletions returns only whole, contiguous,
    /// acknowledged entries (or Compacted), never a half-written record. Method: one task appends
    /// and deletes through a trailing index; the test reads until it finishes.
    [Fact]
    public async Task ReadFrom_racing_appends_and_deletions_sees_only_whole_contiguous_entries()
    {
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(FsyncPolicy.Never, segmentBytes: 4096));
        await log.AppendAsync([Entry(1)], CancellationToken.None);
        var writer = Task.Run(async () =>
        {
            for (var i = 2; i <= 3000; i++)
            {
                await log.AppendAsync([Entry(i)], CancellationToken.None);
                if (i % 300 == 0 && i > 400)
                {
                    await log.DeleteThroughAsync(i - 400, CancellationToken.None);
                }
            }
        });

        var reads = 0;
        while (!writer.IsCompleted)
        {
            var start = Math.Max(1, log.FirstIndex);
            var read = await log.ReadFromAsync(start, 200, CancellationToken.None);
            reads++;
            if (read.Entries.Count > 0)
            {
                Assert.Equal(start, read.Entries[0].Index);
                AssertSameEntries(Range(start, read.Entries.Count), read.Entries);
            }
        }

        await writer;
        Assert.True(reads > 0);
        Assert.Equal(3000, log.LastIndex);
    }

    private IWriteAheadLog Open(string kind, long segmentBytes = 64L * 1024 * 1024) => kind switch
    {
        "file" => FileWriteAheadLog.Open(LogDirectory(_dir), Options(segmentBytes: segmentBytes)),
        _ => new InMemoryWriteAheadLog(),
    };
}
