namespace LeaderKv.Linearizability.Tests;

/// <summary>Known histories of reads and writes on one register, each small enough to judge by hand.</summary>
public sealed class RegisterHistoryTests
{
    [Fact]
    public void A_read_after_a_completed_write_that_sees_it_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Read(1, 20, 30, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_read_of_an_absent_key_before_any_write_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Read(1, 0, 5, null);
        h.Write(0, 10, 20, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_stale_read_after_a_completed_write_is_not_linearizable_and_is_named()
    {
        // Goal: the classic lost-update symptom. Method: w1 then w2 complete, a later read sees w1.
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        var second = h.Write(0, 20, 30, "2");
        var stale = h.Read(1, 40, 50, "1");

        var result = h.Check();

        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        var key = Assert.Single(result.Failing);
        Assert.Equal("k", key.Key);
        Assert.Equal(stale, key.Unplaceable[0]);
        Assert.Equal("2", key.ValueAfterPrefix);
        Assert.Contains(second, key.LongestPrefix);
    }

    [Fact]
    public void A_read_concurrent_with_a_write_may_see_either_value()
    {
        foreach (var seen in new[] { "1", "2" })
        {
            var h = new HistoryBuilder();
            h.Write(0, 0, 10, "1");
            h.Write(0, 20, 40, "2");
            h.Read(1, 25, 30, seen);
            Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
        }
    }

    [Fact]
    public void A_value_never_written_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1");
        h.Read(1, 0, 20, "9");
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_read_that_sees_a_write_before_the_write_was_invoked_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Read(1, 0, 5, "1");
        h.Write(0, 10, 20, "1");
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void Two_readers_that_see_two_concurrent_writes_in_opposite_orders_are_not_linearizable()
    {
        // Goal: a register has one order of writes. Method: two writes concurrent with everything;
        // reader 2 sees 1 then 2, reader 3 sees 2 then 1, each read after the previous one completed.
        var h = new HistoryBuilder();
        h.Write(0, 0, 100, "1");
        h.Write(1, 0, 100, "2");
        h.Read(2, 10, 20, "1");
        h.Read(2, 30, 40, "2");
        h.Read(3, 10, 20, "2");
        h.Read(3, 30, 40, "1");
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void Two_readers_that_see_two_concurrent_writes_in_the_same_order_are_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 100, "1");
        h.Write(1, 0, 100, "2");
        h.Read(2, 10, 20, "1");
        h.Read(2, 30, 40, "2");
        h.Read(3, 10, 20, "1");
        h.Read(3, 30, 40, "2");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_value_read_back_after_a_later_value_was_read_is_not_linearizable()
    {
        // One reader, writes completed: 1 then 2 then 1 again would need w1 to happen twice.
        var h = new HistoryBuilder();
        h.Write(0, 0, 100, "1");
        h.Write(1, 0, 100, "2");
        h.Read(2, 10, 20, "1");
        h.Read(2, 30, 40, "2");
        h.Read(2, 50, 60, "1");
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void Keys_are_checked_separately_and_only_the_failing_one_is_reported()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "a1", key: "a");
        h.Read(1, 20, 30, "a1", key: "a");
        h.Write(0, 0, 10, "b1", key: "b");
        h.Write(0, 20, 30, "b2", key: "b");
        h.Read(1, 40, 50, "b1", key: "b");

        var result = h.Check();

        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        Assert.Equal(["b"], result.Failing.Select(k => k.Key));
        Assert.Equal(Verdict.Linearizable, result.Keys.Single(k => k.Key == "a").Verdict);
    }

    [Fact]
    public void An_empty_history_is_linearizable()
    {
        Assert.Equal(Verdict.Linearizable, LinearizabilityChecker.Check([]).Verdict);
    }

    [Fact]
    public void A_history_with_a_repeated_operation_id_is_refused()
    {
        var op = new Operation { Id = 1, Client = 0, Key = "k", Kind = OperationKind.Read, Outcome = Outcome.Ok, InvokedAt = 0, CompletedAt = 1 };
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([op, op with { InvokedAt = 2, CompletedAt = 3 }]));
    }

    [Fact]
    public void A_completed_operation_without_a_completion_time_is_refused()
    {
        var op = new Operation { Id = 1, Client = 0, Key = "k", Kind = OperationKind.Write, Value = "1", Outcome = Outcome.Ok, InvokedAt = 0 };
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([op]));
    }
}
