using System.Net;
using LeaderKv.Cli.Verify;
using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Tests.Verify;

/// <summary>How verify classifies answers, decides that a committed write was lost, and reads its options.</summary>
public sealed class VerifyCheckTests
{
    [Theory]
    [InlineData(200, true, Outcome.Ok)]
    [InlineData(400, true, Outcome.Failed)]
    [InlineData(503, true, Outcome.Failed)]
    [InlineData(500, true, Outcome.Unknown)]
    [InlineData(409, false, Outcome.Failed)]
    [InlineData(404, false, Outcome.Ok)]
    public void Each_answer_maps_to_the_outcome_it_implies(int status, bool isWrite, Outcome expected)
    {
        var answer = HttpKvOperations.Classify((HttpStatusCode)status, "{\"index\":7}", isWrite, isCompareAndSet: false);
        Assert.Equal(expected, answer.Outcome);
    }

    [Fact]
    public void A_not_leader_answer_names_the_leader_to_follow()
    {
        var answer = HttpKvOperations.Classify(HttpStatusCode.BadRequest, "{\"leader\":\"http://127.0.0.1:8003/\"}", isWrite: true, isCompareAndSet: false);
        Assert.Equal(new Uri("http://127.0.0.1:8003/"), answer.Leader);
    }

    [Fact]
    public void A_failed_compare_and_set_condition_is_an_ok_answer_that_did_not_swap()
    {
        var answer = HttpKvOperations.Classify(HttpStatusCode.PreconditionFailed, "{\"index\":9}", isWrite: true, isCompareAndSet: true);
        Assert.Equal((Outcome.Ok, false, 9L), (answer.Outcome, answer.Swapped, answer.Index!.Value));
    }

    [Fact]
    public void A_read_returns_the_value_as_json_text_and_its_index()
    {
        var answer = HttpKvOperations.Classify(HttpStatusCode.OK, "{\"key\":\"k0\",\"value\":\"c1-2\",\"index\":12}", isWrite: false, isCompareAndSet: false);
        Assert.Equal(("\"c1-2\"", 12L), (answer.Value, answer.Index!.Value));
    }

    [Fact]
    public void A_committed_write_is_lost_when_a_node_holds_an_older_index_another_value_or_nothing()
    {
        var write = Committed(1, "k0", "\"a\"", 5);
        IReadOnlyList<FinalRead> finals =
        [
            new("node-0", "k0", "\"a\"", 5),     // the write itself
            new("node-1", "k0", "\"b\"", 8),     // overwritten by a later write: visible
            new("node-2", "k0", "\"z\"", 3),     // older than the write: lost
            new("node-3", "k0", "\"x\"", 5),     // another value at its index: lost
            new("node-4", "k0", null, 0),        // absent: lost
        ];

        var lost = LostWrites.Find([write], finals);

        Assert.Equal(["node-2", "node-3", "node-4"], lost.Select(l => l.Node));
    }

    [Fact]
    public void Unknown_and_failed_writes_are_never_counted_as_lost()
    {
        var unknown = Committed(1, "k0", "\"a\"", 5) with { Op = Committed(1, "k0", "\"a\"", 5).Op with { Outcome = Outcome.Unknown, CompletedAt = null } };
        var failed = Committed(2, "k0", "\"b\"", 6) with { Op = Committed(2, "k0", "\"b\"", 6).Op with { Outcome = Outcome.Failed } };

        Assert.Empty(LostWrites.Find([unknown, failed], [new("node-0", "k0", null, 0)]));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("90", 90)]
    public void Durations_read_as_seconds_or_minutes(string text, int seconds)
    {
        Assert.True(VerifyCommand.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Fact]
    public void Nemesis_kinds_combine_and_unknown_ones_are_refused()
    {
        Assert.True(VerifyCommand.TryParseNemesis("kill,partition", out var kinds));
        Assert.Equal(Nemesis.Kill | Nemesis.Partition, kinds);
        Assert.True(VerifyCommand.TryParseNemesis("all", out kinds));
        Assert.Equal(Nemesis.All, kinds);
        Assert.False(VerifyCommand.TryParseNemesis("flood", out _));
    }

    private static RecordedOperation Committed(int id, string key, string value, long index) => new(
        new Operation { Id = id, Client = 0, Key = key, Kind = OperationKind.Write, Value = value, Outcome = Outcome.Ok, InvokedAt = 0, CompletedAt = 1 },
        "node-0", index, null, null, 1);
}
