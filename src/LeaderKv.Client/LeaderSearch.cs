namespace LeaderKv.Client;

/// <summary>What one request to one node told the search for the leader.</summary>
internal abstract record Step<T>
{
    /// <summary>The node did what was asked.</summary>
    public sealed record Done(T Value) : Step<T>;

    /// <summary>The node is not the leader; it may name the one it follows.</summary>
    public sealed record Redirect(Uri? Leader, string Note) : Step<T>;

    /// <summary>An election or a recovery is under way: ask again after a wait (the node's Retry-After, if it gave one).</summary>
    public sealed record Wait(TimeSpan? RetryAfter, string Note) : Step<T>;

    /// <summary>The node cannot help (down, or knows no leader and expects none): try the others.</summary>
    public sealed record Skip(string Note) : Step<T>;
}

/// <summary>
/// One call's search for the leader over rounds. A round asks every candidate once, a named leader
/// first; a round without an answer ends the call, unless some node said an election or recovery is
/// under way, in which case the next round starts after a backoff that doubles up to its ceiling.
/// Every request counts toward <see cref="LeaderKvClientOptions.MaxAttempts"/>.
/// </summary>
internal sealed class LeaderSearch
{
    private readonly LeaderKvClientOptions _options;
    private readonly List<Uri> _candidates;
    private readonly HashSet<Uri> _asked = [];
    private readonly Dictionary<Uri, string> _notes = [];
    private Uri? _preferred;
    private bool _waitRequested;
    private TimeSpan _retryAfter;
    private int _rounds;

    public LeaderSearch(IEnumerable<Uri> candidates, LeaderKvClientOptions options)
    {
        _options = options;
        _candidates = candidates.Distinct().ToList();
    }

    public int Attempts { get; private set; }

    /// <summary>The node to ask next, or null when the round is over.</summary>
    public Uri? Next()
    {
        var next = _preferred is { } preferred && !_asked.Contains(preferred)
            ? preferred
            : _candidates.FirstOrDefault(c => !_asked.Contains(c));
        _preferred = null;
        if (next is not null)
        {
            _asked.Add(next);
            Attempts++;
        }

        return next;
    }

    public bool CanRetry => Attempts < _options.MaxAttempts;

    public void Record<T>(Uri node, Step<T> step)
    {
        switch (step)
        {
            case Step<T>.Redirect redirect:
                _notes[node] = redirect.Note;
                if (redirect.Leader is { } leader && leader != node)
                {
                    if (!_candidates.Contains(leader))
                    {
                        _candidates.Insert(0, leader);
                    }

                    _preferred = leader;
                }

                break;
            case Step<T>.Wait wait:
                _notes[node] = wait.Note;
                _waitRequested = true;
                if (wait.RetryAfter is { } retryAfter && retryAfter > _retryAfter)
                {
                    _retryAfter = retryAfter > _options.RetryAfterMax ? _options.RetryAfterMax : retryAfter;
                }

                break;
            case Step<T>.Skip skip:
                _notes[node] = skip.Note;
                break;
        }
    }

    /// <summary>
    /// Ends a round. Returns the wait before the next one, or null when no node expects a leader soon
    /// (waiting would not help) or the attempts are used up.
    /// </summary>
    public TimeSpan? EndRound()
    {
        if (!_waitRequested || !CanRetry)
        {
            return null;
        }

        var doubling = _options.BackoffInitial * Math.Pow(2, Math.Min(_rounds, 30));
        var backoff = doubling > _options.BackoffMax ? _options.BackoffMax : doubling;
        var wait = _retryAfter > backoff ? _retryAfter : backoff;
        _rounds++;
        _asked.Clear();
        _waitRequested = false;
        _retryAfter = TimeSpan.Zero;
        return wait;
    }

    /// <summary>What each node said, for the error that ends the call.</summary>
    public string Summary() => _notes.Count == 0
        ? "no node was asked"
        : string.Join("; ", _notes.Select(n => $"{NodeUrl.Format(n.Key)}: {n.Value}"));
}
