using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Node.Watch;

/// <summary>What <see cref="WatchHub.Open"/> decided.</summary>
public enum WatchOpenStatus
{
    Opened,

    /// <summary>The history the watcher asked for is gone: it must list again and watch from the listing's index.</summary>
    Compacted,

    /// <summary>WATCH_MAX_WATCHERS are connected already.</summary>
    TooManyWatchers,
}

public readonly record struct WatchOpen(WatchOpenStatus Status, Watcher? Watcher, long Horizon);

/// <summary>A batch for one watcher: changes in index order, or the news that its history is gone.</summary>
public readonly record struct WatchBatch(IReadOnlyList<WatchChange> Changes, bool Compacted, long Horizon);

/// <summary>
/// The node's feed of committed changes for <c>GET /watch</c>: the driver publishes every applied entry
/// here in index order (whatever the node's role, so a follower serves watchers too and keeps doing
/// so across leader changes), into one bounded <see cref="WatchHistory"/>. Watchers pull from it with a
/// cursor. Bounded three ways: the history's size, the number of watchers, and how far one watcher
/// may fall behind (WATCH_BUFFER) before it is disconnected, so a slow client never grows memory.
/// </summary>
public sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly WatchHistory _history;
    private readonly HashSet<Watcher> _watchers = [];
    private readonly WatchSettings _settings;
    private long _slowDisconnects;

    public WatchHub(NodeSettings settings)
    {
        _settings = settings.Watch;
        _history = new WatchHistory(_settings.History);
    }

    public int WatcherCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Watchers disconnected because they fell more than WATCH_BUFFER changes behind.</summary>
    public long SlowDisconnects => Interlocked.Read(ref _slowDisconnects);

    /// <summary>The lowest <c>since</c> a watcher may ask for, and the newest index published.</summary>
    public (long Horizon, long Newest) Range
    {
        get
        {
            lock (_gate)
            {
                return (_history.Horizon, _history.Newest);
            }
        }
    }

    /// <summary>History begins after what the node had applied when it started (earlier changes were never seen here).</summary>
    public void Start(long appliedThrough)
    {
        lock (_gate)
        {
            _history.Reset(appliedThrough);
        }
    }

    /// <summary>Called by the driver with each Ready's applied entries and their verdicts (and installed snapshot), in index order.</summary>
    public void Publish(IReadOnlyList<LogEntry> applied, IReadOnlyList<WriteVerdict> verdicts, SnapshotImage? snapshot)
    {
        if (applied.Count == 0 && snapshot is null)
        {
            return;
        }

        lock (_gate)
        {
            if (snapshot is not null && snapshot.Index > _history.Newest)
            {
                // A snapshot replaces the table without its history: watchers behind it have missed changes.
                _history.Reset(snapshot.Index);
            }

            Invariant.Check(verdicts.Count == applied.Count, "a verdict for every applied entry");
            for (var i = 0; i < applied.Count; i++)
            {
                var entry = applied[i];
                if (entry.Index <= _history.Newest)
                {
                    continue;
                }

                if (WatchChange.From(entry, verdicts[i]) is { } change)
                {
                    _history.Add(change);
                }
                else
                {
                    _history.Advance(entry.Index);
                }
            }

            foreach (var watcher in _watchers)
            {
                if (watcher.Cursor >= _history.Horizon && _history.CountAfter(watcher.Cursor) > _settings.Buffer)
                {
                    Interlocked.Increment(ref _slowDisconnects);
                    watcher.Disconnect();
                }
                else
                {
                    // A watcher behind the horizon is woken too: it learns that its history is gone.
                    watcher.Wake();
                }
            }
        }
    }

    /// <summary>Starts a watcher after <paramref name="since"/> (default: the newest index, so only new changes).</summary>
    public WatchOpen Open(string prefix, long? since)
    {
        lock (_gate)
        {
            var from = since ?? _history.Newest;
            if (from < _history.Horizon)
            {
                return new WatchOpen(WatchOpenStatus.Compacted, null, _history.Horizon);
            }

            if (_watchers.Count >= _settings.MaxWatchers)
            {
                return new WatchOpen(WatchOpenStatus.TooManyWatchers, null, _history.Horizon);
            }

            var watcher = new Watcher(prefix, from);
            _watchers.Add(watcher);
            return new WatchOpen(WatchOpenStatus.Opened, watcher, _history.Horizon);
        }
    }

    /// <summary>The next changes for <paramref name="watcher"/> (at most <paramref name="max"/>), moving its cursor past them.</summary>
    public WatchBatch Take(Watcher watcher, int max)
    {
        lock (_gate)
        {
            if (watcher.Cursor < _history.Horizon)
            {
                return new WatchBatch([], true, _history.Horizon);
            }

            var changes = new List<WatchChange>();
            watcher.Cursor = _history.Read(watcher.Cursor, watcher.Prefix, max, changes);
            return new WatchBatch(changes, false, _history.Horizon);
        }
    }

    public void Close(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }

        watcher.Dispose();
    }
}
