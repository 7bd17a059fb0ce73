namespace LeaderKv.Linearizability.Tests;

/// <summary>Compare-and-set: a swap needs the expected value to be current; a failed condition observes that it was not.</summary>
public sealed class CompareAndSetTests
{
    [Fact]
    public void A_swap_from_the_current_value_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, 30, "1", "2", swapped: true);
        h.Read(2, 40, 50, "2");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_swap_from_a_value_that_was_already_overwritten_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Write(0, 20, 30, "2");
        h.Cas(1, 40, 50, "1", "3", swapped: true);
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_failed_condition_while_the_expected_value_was_current_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, 30, "1", "2", swapped: false);
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_failed_condition_against_another_value_is_linearizable_and_writes_nothing()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, 30, "0", "2", swapped: false);
        h.Read(2, 40, 50, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void Two_swaps_from_the_same_value_cannot_both_succeed()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, 40, "1", "2", swapped: true);
        h.Cas(2, 20, 40, "1", "3", swapped: true);
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void Of_two_concurrent_swaps_from_the_same_value_one_may_fail()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, 40, "1", "2", swapped: true);
        h.Cas(2, 20, 40, "1", "3", swapped: false);
        h.Read(0, 50, 60, "2");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_swap_on_an_absent_key_expects_absence()
    {
        var h = new HistoryBuilder();
        h.Cas(1, 0, 10, null, "1", swapped: true);
        h.Read(2, 20, 30, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void An_unknown_swap_that_is_seen_is_linearizable_only_where_its_condition_held()
    {
        var seen = new HistoryBuilder();
        seen.Write(0, 0, 10, "1");
        seen.Cas(1, 20, null, "1", "2", swapped: false, Outcome.Unknown);
        seen.Read(2, 100, 110, "2");
        Assert.Equal(Verdict.Linearizable, seen.Check().Verdict);

        // Its expected value was gone before it was invoked, so it cannot have swapped.
        var impossible = new HistoryBuilder();
        impossible.Write(0, 0, 10, "1");
        impossible.Write(0, 12, 15, "x");
        impossible.Cas(1, 20, null, "1", "2", swapped: false, Outcome.Unknown);
        impossible.Read(2, 100, 110, "2");
        Assert.Equal(Verdict.NotLinearizable, impossible.Check().Verdict);
    }

    [Fact]
    public void An_unknown_swap_that_is_never_seen_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Cas(1, 20, null, "1", "2", swapped: false, Outcome.Unknown);
        h.Read(2, 100, 110, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_failed_condition_can_be_explained_by_an_unknown_write()
    {
        // Goal: the one case where an unseen unknown write matters. Method: the only reason the
        // compare-and-set from "1" could fail is that the unknown write of "u" landed first.
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Write(1, 20, null, "u", Outcome.Unknown);
        h.Cas(2, 30, 40, "1", "2", swapped: false);
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }
}
