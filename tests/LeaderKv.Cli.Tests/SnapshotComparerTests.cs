using System.Text.Json.Nodes;
using LeaderKv.Cli.Consistency;

namespace LeaderKv.Cli.Tests;

/// <summary>The tests.py comparison: whole-snapshot equality, with a concrete differing key on mismatch.</summary>
public sealed class SnapshotComparerTests
{
    private static readonly Uri Follower = new("http://127.0.0.1:8001/");

    [Fact]
    public void Equal_snapshots_are_consistent_whatever_the_key_order()
    {
        var result = Compare("""{"a":1,"b":{"x":[1,2],"y":null}}""", """{"b":{"y":null,"x":[1,2]},"a":1}""");

        Assert.True(result.Consistent);
        Assert.Equal("SUCCESS: Follower 1 (http://127.0.0.1:8001) is consistent.", result.Describe());
    }

    [Fact]
    public void A_different_value_names_the_key_and_both_values()
    {
        var result = Compare("""{"test_key_0":"test_op_45","z":1}""", """{"test_key_0":"test_op_40","z":1}""");

        Assert.False(result.Consistent);
        Assert.Equal(
            "FAILURE: Follower 1 (http://127.0.0.1:8001) MISMATCH. Key 'test_key_0': Leader=\"test_op_45\" vs Follower=\"test_op_40\".",
            result.Describe());
    }

    [Fact]
    public void A_key_missing_on_the_follower_shows_as_NA()
    {
        var result = Compare("""{"a":1,"b":2}""", """{"a":1}""");

        Assert.Equal(("b", "2", "N/A"), (result.DifferingKey, result.LeaderValue, result.FollowerValue));
    }

    [Fact]
    public void An_extra_key_on_the_follower_is_a_mismatch_too()
    {
        var result = Compare("""{"a":1}""", """{"a":1,"ghost":true}""");

        Assert.Equal(("ghost", "N/A", "true"), (result.DifferingKey, result.LeaderValue, result.FollowerValue));
    }

    [Fact]
    public void Json_null_is_a_value_not_a_missing_key()
    {
        var result = Compare("""{"a":null}""", """{}""");

        Assert.False(result.Consistent);
        Assert.Equal(("null", "N/A"), (result.LeaderValue, result.FollowerValue));
    }

    [Fact]
    public void Numbers_and_strings_of_the_same_text_differ()
    {
        Assert.False(Compare("""{"a":1}""", """{"a":"1"}""").Consistent);
    }

    [Fact]
    public void The_first_differing_key_in_ordinal_order_is_reported()
    {
        Assert.Equal("B", Compare("""{"a":1,"B":1,"c":1}""", """{"a":2,"B":2,"c":2}""").DifferingKey);
    }

    private static FollowerComparison Compare(string leader, string follower) =>
        SnapshotComparer.Compare(1, Follower, JsonNode.Parse(leader)!.AsObject(), JsonNode.Parse(follower)!.AsObject());
}
