using LeaderKv.Storage.Wal;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Win32.SafeHandles;
using Xunit.Abstractions;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

public sealed class FsyncPolicyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: group commit, shown without timing. Method: hold the writer inside the first data fsync,
    /// queue 999 more appends meanwhile, release: they must share the next fsyncs (at most 512
    /// requests per group, so two) rather than take one each.
    [Fact]
    public async Task Appends_queued_during_an_fsync_share_the_next_one()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var armed = 0;
        var options = Options() with
        {
            FlushToDisk = handle =>
            {
                if (Interlocked.Exchange(ref armed, 0) == 1)
                {
                    held.SetResult();
                    release.Wait();
                }

                RandomAccess.FlushToDisk(handle);
            },
        };

        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), options);
        var baseline = log.Stats.Fsyncs;
        Volatile.Write(ref armed, 1);
        var appends = new List<Task> { log.AppendAsync([Entry(1)], CancellationToken.None).AsTask() };
        await held.Task;
        for (var i = 2; i <= 1000; i++)
        {
            appends.Add(log.AppendAsync([Entry(i)], CancellationToken.None).AsTask());
        }

        release.Set();
        await Task.WhenAll(appends);

        var stats = log.Stats;
        var fsyncs = stats.Fsyncs - baseline;
        output.WriteLine($"held writer: {stats.Appends} appends, {fsyncs} fsyncs, {stats.Writes} write calls");
        Assert.Equal(1000, stats.Appends);
        Assert.Equal(3, fsyncs);
        Assert.Equal(3, stats.Writes);
        Assert.Equal(1000, log.LastIndex);
    }

    /// Goal: many concurrent appenders under Always all complete, all their entries are durable, and
    /// they shared fsyncs. Method: 16 tasks × 100 appends each on the real disk, then recover.
    [Fact]
    public async Task Many_concurrent_appenders_with_Always_all_complete_with_fewer_fsyncs_than_appends()
    {
        const int appenders = 16;
        const int appendsEach = 100;
        long fsyncs, appends;
        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(FsyncPolicy.Always)))
        {
            var baseline = log.Stats.Fsyncs;
            var tasks = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
            {
                for (var i = 0; i < appendsEach; i++)
                {
                    // Appender a owns indexes a+1, a+1+appenders, ...: disjoint, interleaved on disk.
                    await log.AppendAsync([Entry(1 + a + ((long)i * appenders))], CancellationToken.None);
                }
            }));
            await Task.WhenAll(tasks);
            fsyncs = log.Stats.Fsyncs - baseline;
            appends = log.Stats.Appends;
        }

        output.WriteLine($"free-running: {appends} appends, {fsyncs} fsyncs");
        Assert.Equal(appenders * appendsEach, appends);
        Assert.True(fsyncs < appends, $"{fsyncs} fsyncs for {appends} appends");
        var recovered = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(Range(1, appenders * appendsEach), recovered.Entries);
    }

    /// Goal: Interval completes appends without an fsync and syncs when the interval elapses.
    /// Method: fake clock; append, advance, append again (the queue is FIFO, so the tick is handled by then).
    [Fact]
    public async Task Interval_fsyncs_when_the_interval_elapses_not_on_append()
    {
        var clock = new FakeTimeProvider();
        var options = Options(FsyncPolicy.Interval) with { FsyncInterval = TimeSpan.FromMilliseconds(50), TimeProvider = clock };
        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), options);
        var baseline = log.Stats.Fsyncs;

        await log.AppendAsync([Entry(1)], CancellationToken.None);
        await log.AppendAsync([Entry(2)], CancellationToken.None);
        Assert.Equal(baseline, log.Stats.Fsyncs);

        clock.Advance(TimeSpan.FromMilliseconds(50));
        await log.AppendAsync([Entry(3)], CancellationToken.None);
        Assert.Equal(baseline + 1, log.Stats.Fsyncs);

        // SyncAsync forces the rest to disk; with nothing unsynced a tick does nothing.
        await log.SyncAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        await log.SyncAsync(CancellationToken.None);
        Assert.InRange(log.Stats.Fsyncs, baseline + 1, baseline + 2);
        Assert.Equal(3, log.Stats.Appends);
    }

    /// Goal: Never leaves syncing to the OS, even on dispose; SyncAsync still forces it. Method: count fsyncs.
    [Fact]
    public async Task Never_does_not_fsync_on_append_or_dispose()
    {
        var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options(FsyncPolicy.Never));
        var baseline = log.Stats.Fsyncs;
        for (var i = 1; i <= 10; i++)
        {
            await log.AppendAsync([Entry(i)], CancellationToken.None);
        }

        Assert.Equal(baseline, log.Stats.Fsyncs);
        await log.SyncAsync(CancellationToken.None);
        Assert.Equal(baseline + 1, log.Stats.Fsyncs);
        await log.AppendAsync([Entry(11)], CancellationToken.None);
        await log.DisposeAsync();
        Assert.Equal(baseline + 1, log.Stats.Fsyncs);
        AssertSameEntries(Range(1, 11), (await RecoverAndCloseAsync(_dir)).Entries);
    }

    /// Goal: a failed fsync fails the waiting append and every later one: the state of the file is
    /// unknown, so nothing more may be acknowledged. Method: make the first data fsync throw.
    [Fact]
    public async Task A_failed_fsync_fails_the_append_and_every_later_one()
    {
        var armed = 0;
        void Flush(SafeFileHandle handle)
        {
            if (Volatile.Read(ref armed) == 1)
            {
                throw new IOException("simulated EIO");
            }

            RandomAccess.FlushToDisk(handle);
        }

        await using var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options() with { FlushToDisk = Flush });
        await log.AppendAsync([Entry(1)], CancellationToken.None);
        Volatile.Write(ref armed, 1);

        var first = await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync([Entry(2)], CancellationToken.None));
        Assert.Equal("simulated EIO", first.InnerException!.Message);
        Volatile.Write(ref armed, 0);
        var later = await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync([Entry(3)], CancellationToken.None));
        Assert.Contains("refuses further appends", later.Message, StringComparison.Ordinal);
        Assert.Equal(1, log.LastIndex);
    }
}
