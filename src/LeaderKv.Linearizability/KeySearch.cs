namespace LeaderKv.Linearizability;

/// <summary>
/// Wing &amp; Gong's search for a linearization with Lowe's refinement (as in porcupine): walk the
/// history's call and return events in time order; at a call, try to linearize that operation
/// now (the model accepts it and the resulting (linearized set, state) was not seen before) and
/// lift its events out of the list; at a return whose operation was not linearized, undo the most
/// recent linearization and try the next candidate instead. The history is linearizable when the
/// list empties. Unknown operations have their return at +∞, so they may be placed anywhere after
/// their call; placed last, they are the same as never having happened.
/// </summary>
internal sealed class KeySearch
{
    private readonly CompiledOperation[] _ops;
    // Events: 0 is the list head; event e > 0 is op (e - 1) / 2, a call when odd.
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly ulong[] _zobristA;
    private readonly ulong[] _zobristB;

    private readonly int[] _rank;

    private KeySearch(CompiledOperation[] ops, long[] invoked, long[] completed, int[] rank)
    {
        _ops = ops;
        _rank = rank;
        var n = ops.Length;
        var events = new List<(long Time, bool IsCall, int Op)>(2 * n);
        for (var i = 0; i < n; i++)
        {
            events.Add((invoked[i], true, i));
            events.Add((completed[i], false, i));
        }

        // Calls before returns at the same instant: touching intervals count as concurrent, which
        // can only admit more orders, never reject a linearizable history.
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : b.IsCall.CompareTo(a.IsCall));
        _next = new int[2 * n + 1];
        _prev = new int[2 * n + 1];
        var order = new int[2 * n + 1];
        for (var i = 0; i < events.Count; i++)
        {
            order[i + 1] = EventId(events[i].Op, events[i].IsCall);
        }

        for (var i = 0; i <= 2 * n; i++)
        {
            _next[order[i]] = i < 2 * n ? order[i + 1] : -1;
            _prev[order[i]] = i > 0 ? order[i - 1] : -1;
        }

        // Two independent 64-bit Zobrist hashes of the linearized set stand in for the set itself in
        // the memo: a false match needs a 128-bit collision (odds far below a hardware fault), and it
        // keeps each memo entry at 20 bytes instead of a copy of a bitset of every operation.
        var random = new Random(unchecked((int)0x5eed1234));
        _zobristA = new ulong[n];
        _zobristB = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            _zobristA[i] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
            _zobristB[i] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
        }
    }

    /// <param name="ops">The key's operations.</param>
    /// <param name="invoked">Call time of each.</param>
    /// <param name="completed">Return time of each (long.MaxValue: never).</param>
    /// <param name="rank">
    /// For interchangeable operations (unknown writes of values nobody observed, interned to one
    /// state) their order by call time, else -1. Any of them invoked by a point has the same effect
    /// there, so placing them only in that order loses no linearization and keeps the search from
    /// trying every subset of them.
    /// </param>
    /// <param name="maxSteps">Step budget.</param>
    /// <param name="token">Ends the search early.</param>
    public static SearchOutcome Run(CompiledOperation[] ops, long[] invoked, long[] completed, int[] rank, long maxSteps, CancellationToken token) =>
        new KeySearch(ops, invoked, completed, rank).Search(maxSteps, token);

    private static int EventId(int op, bool isCall) => 2 * op + (isCall ? 1 : 2);

    private static int OpOf(int e) => (e - 1) / 2;

    private static bool IsCall(int e) => e % 2 == 1;

    private SearchOutcome Search(long maxSteps, CancellationToken token)
    {
        var memo = new HashSet<(ulong, ulong, int)>();
        var stack = new Stack<(int Event, int StateBefore, bool UnknownPass)>();
        var state = RegisterModel.Absent;
        ulong hashA = 0, hashB = 0;
        long steps = 0;
        int[] best = [];
        var bestState = RegisterModel.Absent;
        var stuckAt = -1;
        var entry = _next[0];
        // Each point of the search tries the completed operations in its window first and the unknown
        // ones only after those: any order of candidates finds a linearization if one exists, and this
        // one places an unknown write where an observation needs it instead of trying every unknown
        // write at every point (which is exponential in the number of unknown writes).
        var unknownPass = false;
        var interchangeablePlaced = 0;
        while (_next[0] != -1)
        {
            if (++steps > maxSteps || ((steps & 0xFFFF) == 0 && token.IsCancellationRequested))
            {
                return new SearchOutcome(Verdict.Unknown, steps, best, bestState, stuckAt);
            }

            if (IsCall(entry))
            {
                var op = OpOf(entry);
                if ((_ops[op].Outcome == Outcome.Unknown) == unknownPass
                    && (_rank[op] < 0 || _rank[op] == interchangeablePlaced)
                    && RegisterModel.Step(state, _ops[op], out var next)
                    && memo.Add((hashA ^ _zobristA[op], hashB ^ _zobristB[op], next)))
                {
                    stack.Push((entry, state, unknownPass));
                    state = next;
                    hashA ^= _zobristA[op];
                    hashB ^= _zobristB[op];
                    Lift(entry);
                    interchangeablePlaced += _rank[op] >= 0 ? 1 : 0;
                    entry = _next[0];
                    unknownPass = false;
                    continue;
                }

                entry = _next[entry];
                continue;
            }

            if (!unknownPass)
            {
                unknownPass = true;
                entry = _next[0];
                continue;
            }

            // A return whose operation is not linearized yet, and every candidate before it tried:
            // the latest choice was wrong.
            if (stuckAt == -1 || stack.Count > best.Length)
            {
                best = [.. stack.Reverse().Select(s => OpOf(s.Event))];
                bestState = state;
                stuckAt = OpOf(entry);
            }

            if (stack.Count == 0)
            {
                return new SearchOutcome(Verdict.NotLinearizable, steps, best, bestState, stuckAt);
            }

            var (call, before, pass) = stack.Pop();
            var undone = OpOf(call);
            state = before;
            hashA ^= _zobristA[undone];
            hashB ^= _zobristB[undone];
            Unlift(call);
            interchangeablePlaced -= _rank[undone] >= 0 ? 1 : 0;
            entry = _next[call];
            unknownPass = pass;
        }

        return new SearchOutcome(Verdict.Linearizable, steps, [], state, -1);
    }

    /// <summary>Takes a call and its return out of the list (Lowe's "lift").</summary>
    private void Lift(int call)
    {
        Unlink(call);
        Unlink(call + 1);
    }

    /// <summary>Puts them back, return first, exactly where they were: the neighbours' links still point past them.</summary>
    private void Unlift(int call)
    {
        Relink(call + 1);
        Relink(call);
    }

    private void Unlink(int e)
    {
        _next[_prev[e]] = _next[e];
        if (_next[e] != -1)
        {
            _prev[_next[e]] = _prev[e];
        }
    }

    private void Relink(int e)
    {
        _next[_prev[e]] = e;
        if (_next[e] != -1)
        {
            _prev[_next[e]] = e;
        }
    }
}

/// <summary>A search's verdict; StuckAt is the op whose return was reached when the search was furthest along (-1 if none).</summary>
internal sealed record SearchOutcome(Verdict Verdict, long Steps, int[] LongestPrefix, int StateAfterPrefix, int StuckAt);
