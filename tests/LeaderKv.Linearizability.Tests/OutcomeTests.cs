namespace LeaderKv.Linearizability.Tests;

/// <summary>Writes whose outcome is unknown (may take effect at any point after their call, or never) and writes that failed (no effect).</summary>
public sealed class OutcomeTests
{
    [Fact]
    public void An_unknown_write_that_is_seen_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, null, "1", Outcome.Unknown);
        h.Read(1, 1000, 1010, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void An_unknown_write_that_is_never_seen_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, null, "1", Outcome.Unknown);
        h.Read(1, 1000, 1010, null);
        h.Read(1, 2000, 2010, null);
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void An_unknown_write_may_take_effect_long_after_later_writes_completed()
    {
        // Its completion is +∞: it can land after w2, so a read at the end may see it.
        var h = new HistoryBuilder();
        h.Write(0, 0, null, "1", Outcome.Unknown);
        h.Write(1, 100, 110, "2");
        h.Read(2, 200, 210, "2");
        h.Read(2, 300, 310, "1");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void An_unknown_write_seen_and_then_unseen_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, null, "1", Outcome.Unknown);
        h.Read(1, 100, 110, "1");
        h.Read(1, 200, 210, null);
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void An_unknown_write_seen_before_its_call_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Read(1, 0, 10, "1");
        h.Write(0, 20, null, "1", Outcome.Unknown);
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_failed_write_that_is_seen_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "1", Outcome.Failed);
        h.Read(1, 20, 30, "1");
        Assert.Equal(Verdict.NotLinearizable, h.Check().Verdict);
    }

    [Fact]
    public void A_failed_write_that_is_never_seen_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Write(0, 0, 10, "0");
        h.Write(0, 20, 30, "1", Outcome.Failed);
        h.Read(1, 40, 50, "0");
        Assert.Equal(Verdict.Linearizable, h.Check().Verdict);
    }

    [Fact]
    public void Many_unknown_writes_among_a_few_seen_ones_still_check_quickly()
    {
        // Goal: timeouts during a partition leave many unknown writes; most are never seen. Method:
        // 200 unknown writes, every fifth one read back later in order of invocation.
        var h = new HistoryBuilder();
        for (var i = 0; i < 200; i++)
        {
            h.Write(i % 8, i * 10, null, $"u{i}", Outcome.Unknown);
        }

        for (var i = 0; i < 200; i += 5)
        {
            h.Read(9, 10_000 + i * 10, 10_000 + i * 10 + 5, $"u{i}");
        }

        var result = h.Check(maxSteps: 200_000);
        Assert.Equal(Verdict.Linearizable, result.Verdict);
    }
}
