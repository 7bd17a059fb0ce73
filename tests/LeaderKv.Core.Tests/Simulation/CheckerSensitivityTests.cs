using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// A checker that never fires proves nothing. These runs break the quorum rule on purpose (an
/// election quorum that no longer meets every replication quorum, nor every other election quorum)
/// and require the checker to notice within a bounded search of seeds.
/// </summary>
public class CheckerSensitivityTests
{
    private const int SearchLimit = 2000;

    // E = 2 at W = 2: two election quorums need not meet (two leaders in one term). E = 4 at W = 1: a
    // majority, but 4 + 2 is not more than 6, so an election can miss a committed write.
    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 4)]
    public void Checker_catches_a_deliberately_broken_election_quorum(int writeQuorum, int brokenElectionQuorum)
    {
        // Goal: the properties are sharp enough to catch a wrong E. Method: search seeds with E forced
        // below max(N + 1 - W, majority) until a run violates a property; assert one did.
        var layout = SimulationLayout.All.Single(l => l.Failover == FailoverMode.Automatic && l.WriteQuorum == writeQuorum);
        var options = new SimulationOptions { Layout = layout, ElectionQuorum = brokenElectionQuorum };
        string? caught = null;
        for (var seed = 1; seed <= SearchLimit && caught is null; seed++)
        {
            try
            {
                SimulationTests.Replay(seed, options);
            }
            catch (SimulationViolation violation)
            {
                caught = violation.Message;
            }
        }

        Assert.NotNull(caught);
        Assert.Contains("seed ", caught, StringComparison.Ordinal);
        Console.WriteLine($"E = {brokenElectionQuorum} at W = {writeQuorum} caught: {caught}");
    }

    [Fact]
    public void Checker_catches_linearizable_reads_served_without_the_confirmation_round()
    {
        // Goal: the read check is sharp enough to catch a deposed leader serving from its own state.
        // Method: search seeds where a node that believes it leads serves reads at its read index with
        // no confirmation round (a lease without the clock argument); assert a stale read is caught.
        string? caught = null;
        var layouts = SimulationLayout.All.Where(l => l.Guarantees == Guarantees.Full).ToList();
        for (var seed = 1; seed <= SearchLimit && caught is null; seed++)
        {
            try
            {
                SimulationTests.Replay(seed, new SimulationOptions { Reads = ReadRule.WithoutConfirmation, Layout = layouts[seed % layouts.Count] });
            }
            catch (SimulationViolation violation)
            {
                caught = violation.Message;
            }
        }

        Assert.NotNull(caught);
        Assert.Contains("linearizable read", caught, StringComparison.Ordinal);
        Console.WriteLine($"reads without a confirmation round caught: {caught}");
    }
}
