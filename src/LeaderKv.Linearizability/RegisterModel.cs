namespace LeaderKv.Linearizability;

/// <summary>
/// The sequential specification of one key: a register that starts absent, with reads, blind
/// writes and compare-and-set. States are value ids interned per key (0 is "absent"), so the
/// search can memoize (linearized set, state) cheaply.
/// </summary>
internal static class RegisterModel
{
    public const int Absent = 0;

    /// <summary>
    /// Applies <paramref name="op"/> to <paramref name="state"/>: false when the operation's answer
    /// contradicts the state. An unknown compare-and-set never contradicts: it swaps if the state is
    /// its expected value and is a no-op otherwise (placed last, it is the same as never happening).
    /// </summary>
    public static bool Step(int state, in CompiledOperation op, out int next)
    {
        next = state;
        switch (op.Kind)
        {
            case OperationKind.Read:
                return state == op.Value;
            case OperationKind.Write:
                next = op.Value;
                return true;
            default:
                var matches = state == op.Expected;
                if (op.Outcome == Outcome.Unknown)
                {
                    next = matches ? op.Value : state;
                    return true;
                }

                if (op.Swapped)
                {
                    next = op.Value;
                    return matches;
                }

                return !matches;
        }
    }
}

/// <summary>An operation with its values interned, as the search sees it.</summary>
internal readonly record struct CompiledOperation(int Index, OperationKind Kind, int Value, int Expected, bool Swapped, Outcome Outcome);
