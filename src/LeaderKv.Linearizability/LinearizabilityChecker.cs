namespace LeaderKv.Linearizability;

/// <summary>
/// Checks a history of register operations for linearizability. Keys are independent registers,
/// and linearizability is compositional (Herlihy &amp; Wing's locality, P-compositionality in
/// porcupine's terms): the history is linearizable exactly when each key's sub-history is, so each
/// key is searched on its own, which keeps every search small.
/// </summary>
public static class LinearizabilityChecker
{
    public static CheckResult Check(IReadOnlyList<Operation> history, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new CheckOptions();
        var ids = new HashSet<int>();
        foreach (var op in history)
        {
            if (!ids.Add(op.Id))
            {
                throw new ArgumentException($"Operation id {op.Id} appears twice.", nameof(history));
            }

            if (op.Outcome != Outcome.Unknown && op.CompletedAt is not { } completed)
            {
                throw new ArgumentException($"Operation #{op.Id} is {op.Outcome} but has no completion time.", nameof(history));
            }

            if (op.CompletedAt < op.InvokedAt)
            {
                throw new ArgumentException($"Operation #{op.Id} completes before it is invoked.", nameof(history));
            }
        }

        var keys = history
            .GroupBy(op => op.Key, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => CheckKey(group.Key, [.. group], options))
            .ToList();
        var verdict = keys.Any(k => k.Verdict == Verdict.NotLinearizable) ? Verdict.NotLinearizable
            : keys.Any(k => k.Verdict == Verdict.Unknown) ? Verdict.Unknown
            : Verdict.Linearizable;
        return new CheckResult(verdict, keys);
    }

    /// <summary>
    /// Searches without the unknown writes nobody observed first (almost always enough); only a "not
    /// linearizable" found that way is searched again with them, since a failed compare-and-set can
    /// need one of them as its explanation.
    /// </summary>
    private static KeyResult CheckKey(string key, List<Operation> operations, CheckOptions options)
    {
        var effective = Effective(operations);
        var pruned = WithoutUnobservedUnknowns(effective);
        var result = Search(key, pruned, [], options);
        if (result.Verdict != Verdict.NotLinearizable || pruned.Count == effective.Count)
        {
            return result;
        }

        var full = Search(key, effective, Unobserved(effective), options);
        return full with { Steps = full.Steps + result.Steps };
    }

    private static KeyResult Search(string key, List<Operation> relevant, HashSet<int> interchangeable, CheckOptions options)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string?> { null };
        int Intern(string? value)
        {
            if (value is null)
            {
                return RegisterModel.Absent;
            }

            if (!values.TryGetValue(value, out var id))
            {
                id = names.Count;
                values[value] = id;
                names.Add(value);
            }

            return id;
        }

        // Values nobody observed are all the same to every other operation: one state stands for them.
        var unobserved = interchangeable.Count > 0 ? Intern("(a value nobody observed)") : -1;
        var rank = new int[relevant.Count];
        Array.Fill(rank, -1);
        var next = 0;
        foreach (var i in Enumerable.Range(0, relevant.Count).Where(i => interchangeable.Contains(relevant[i].Id)).OrderBy(i => relevant[i].InvokedAt))
        {
            rank[i] = next++;
        }

        var compiled = new CompiledOperation[relevant.Count];
        var invoked = new long[relevant.Count];
        var completed = new long[relevant.Count];
        for (var i = 0; i < relevant.Count; i++)
        {
            var op = relevant[i];
            compiled[i] = new CompiledOperation(i, op.Kind, rank[i] >= 0 ? unobserved : Intern(op.Value), op.Kind == OperationKind.CompareAndSet ? Intern(op.Expected) : 0, op.Swapped, op.Outcome);
            invoked[i] = op.InvokedAt;
            completed[i] = op.Outcome == Outcome.Unknown ? long.MaxValue : op.CompletedAt!.Value;
        }

        BoundUnknownByObservers(relevant, completed);

        var outcome = options.Token.IsCancellationRequested
            ? new SearchOutcome(Verdict.Unknown, 0, [], RegisterModel.Absent, -1)
            : KeySearch.Run(compiled, invoked, completed, rank, options.MaxStepsPerKey, options.Token);
        var result = new KeyResult { Key = key, Verdict = outcome.Verdict, Operations = relevant.Count, Steps = outcome.Steps };
        if (outcome.Verdict != Verdict.NotLinearizable)
        {
            return result;
        }

        var placed = outcome.LongestPrefix.ToHashSet();
        var stuck = relevant[outcome.StuckAt];
        // What could not follow the prefix: the operation whose completion stopped the search, and the
        // completed operations not in the prefix that were invoked before it completed (its rivals).
        var unplaceable = relevant
            .Select((op, i) => (op, i))
            .Where(x => !placed.Contains(x.i) && x.op.Outcome != Outcome.Unknown && x.op.InvokedAt <= stuck.CompletedAt)
            .OrderBy(x => x.i == outcome.StuckAt ? 0 : 1).ThenBy(x => x.op.InvokedAt)
            .Select(x => x.op.Id)
            .ToList();
        return result with
        {
            LongestPrefix = [.. outcome.LongestPrefix.Select(i => relevant[i].Id)],
            Unplaceable = unplaceable,
            ValueAfterPrefix = names[outcome.StateAfterPrefix],
        };
    }

    /// <summary>
    /// An unknown write of a value that only it wrote must have taken effect before any operation
    /// that saw that value completed (a read of it, a swap from it): that completion is its latest
    /// possible linearization point, which bounds how long the search keeps it as a candidate.
    /// </summary>
    private static void BoundUnknownByObservers(List<Operation> relevant, long[] completed)
    {
        var writers = relevant
            .Where(op => op.Kind != OperationKind.Read && op.Value is not null)
            .GroupBy(op => op.Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var firstSeen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var op in relevant)
        {
            var seen = op switch
            {
                { Kind: OperationKind.Read, Outcome: Outcome.Ok } => op.Value,
                { Kind: OperationKind.CompareAndSet, Outcome: Outcome.Ok, Swapped: true } => op.Expected,
                _ => null,
            };
            if (seen is not null && op.CompletedAt is { } at)
            {
                firstSeen[seen] = Math.Min(at, firstSeen.GetValueOrDefault(seen, long.MaxValue));
            }
        }

        for (var i = 0; i < relevant.Count; i++)
        {
            if (relevant[i] is { Outcome: Outcome.Unknown, Value: { } value }
                && writers[value] == 1
                && firstSeen.TryGetValue(value, out var bound)
                && bound >= relevant[i].InvokedAt)
            {
                completed[i] = bound;
            }
        }
    }

    /// <summary>Failed operations had no effect and observed nothing; a read that got no answer observed nothing either.</summary>
    private static List<Operation> Effective(List<Operation> operations) =>
        [.. operations.Where(op => op.Outcome != Outcome.Failed && !(op.Kind == OperationKind.Read && op.Outcome != Outcome.Ok))];

    /// <summary>
    /// An unknown write (or compare-and-set) whose value nobody read or expected can be placed last,
    /// where no other operation sees it, except as the reason a compare-and-set's condition failed.
    /// Left out, a run with many timeouts does not make the search try each of them at every point.
    /// </summary>
    private static List<Operation> WithoutUnobservedUnknowns(List<Operation> effective)
    {
        var observed = Observed(effective);
        return [.. effective.Where(op => op.Outcome != Outcome.Unknown || (op.Value is { } value && observed.Contains(value)))];
    }

    /// <summary>Ids of the unknown writes whose value no read returned and no compare-and-set expected.</summary>
    private static HashSet<int> Unobserved(List<Operation> effective)
    {
        var observed = Observed(effective);
        return [.. effective.Where(op => op is { Kind: OperationKind.Write, Outcome: Outcome.Unknown } && (op.Value is null || !observed.Contains(op.Value))).Select(op => op.Id)];
    }

    private static HashSet<string> Observed(List<Operation> effective)
    {
        var observed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in effective)
        {
            if (op.Kind == OperationKind.Read && op.Value is { } seen)
            {
                observed.Add(seen);
            }
            else if (op.Kind == OperationKind.CompareAndSet && op.Expected is { } expected)
            {
                observed.Add(expected);
            }
        }

        return observed;
    }
}
