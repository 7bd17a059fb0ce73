namespace LeaderKv.Linearizability.Tests;

/// <summary>
/// How large a history the checker decides within a step budget (steps, not seconds, so the
/// verdict is the same on any machine), and that an exhausted budget says so instead of guessing.
/// </summary>
public sealed class SearchBoundTests
{
    /// <summary>What `leaderkv verify` can expect a minute of eight clients on five keys to cost, with room to spare.</summary>
    private const long Budget = 2_000_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Five_keys_of_two_thousand_operations_from_eight_clients_are_decided_linearizable_within_the_budget(int seed)
    {
        var history = GeneratedHistory.Create(seed, clients: 8, keys: 5, operations: 10_000);

        var result = LinearizabilityChecker.Check(history, new CheckOptions { MaxStepsPerKey = Budget });

        Assert.Equal(Verdict.Linearizable, result.Verdict);
        Assert.Equal(5, result.Keys.Count);
        Assert.All(result.Keys, key => Assert.InRange(key.Operations, 1_500, 2_500));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void One_stale_read_in_ten_thousand_operations_is_found_within_the_budget(int seed)
    {
        // Goal: the search also decides "no" on a large history. Method: in a generated history, turn
        // the last read of k0 that follows a completed write into a read of an older, overwritten value.
        // A "no" costs more than a "yes": with failed compare-and-sets on the key, the search runs a
        // second time with the unknown writes nobody observed (one may explain a failed condition), and
        // that one has to rule out every place for them. Unknown compare-and-sets nobody observed make it
        // exponential in their number, so this history has unknown writes only.
        var history = GeneratedHistory.Create(seed, clients: 8, keys: 5, operations: 10_000, unknownSwaps: false);
        var writes = history.Where(op => op is { Key: "k0", Kind: OperationKind.Write, Outcome: Outcome.Ok }).ToList();
        var old = writes[^200];
        var newer = writes[^150];
        var read = history.Last(op => op is { Key: "k0", Kind: OperationKind.Read } && op.InvokedAt > newer.CompletedAt);
        history[history.IndexOf(read)] = read with { Value = old.Value };

        var result = LinearizabilityChecker.Check(history, new CheckOptions { MaxStepsPerKey = 5 * Budget });

        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        var failing = Assert.Single(result.Failing);
        Assert.Equal("k0", failing.Key);
        Assert.Contains(read.Id, failing.Unplaceable);
    }

    [Fact]
    public void An_exhausted_step_budget_gives_an_unknown_verdict()
    {
        var history = GeneratedHistory.Create(7, clients: 8, keys: 1, operations: 2_000);

        var result = LinearizabilityChecker.Check(history, new CheckOptions { MaxStepsPerKey = 100 });

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(100 + 1, Assert.Single(result.Keys).Steps);
    }

    [Fact]
    public void A_cancelled_check_gives_an_unknown_verdict()
    {
        var history = GeneratedHistory.Create(7, clients: 8, keys: 3, operations: 600);

        var result = LinearizabilityChecker.Check(history, new CheckOptions { Token = new CancellationToken(canceled: true) });

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.All(result.Keys, key => Assert.Equal(Verdict.Unknown, key.Verdict));
    }
}
