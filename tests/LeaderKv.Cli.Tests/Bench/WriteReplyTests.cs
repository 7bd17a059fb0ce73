using System.Text;
using LeaderKv.Cli.Bench.Load;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The fields the benchmark reads from /write answers, tolerant of nodes that send fewer.</summary>
public sealed class WriteReplyTests
{
    [Fact]
    public void A_LeaderKV_answer_yields_index_acks_and_quorum_delay()
    {
        var reply = Parse("""{"status":"success","quorum_met":true,"index":42,"acks":3,"required":3,"quorum_delay_ms":512.25}""");

        Assert.Equal(new WriteReply(42, 3, 512.25, null), reply);
    }

    [Fact]
    public void The_seed_answer_yields_no_extra_fields()
    {
        Assert.Equal(default, Parse("""{"status":"success","quorum_met":true}"""));
    }

    [Fact]
    public void A_problem_yields_its_detail_when_asked()
    {
        var json = """{"type":"quorum-not-met","detail":"Write quorum not met","index":7,"extra":{"index":99}}""";

        var reply = Parse(json, wantDetail: true);

        Assert.Equal("Write quorum not met", reply.Detail);
        Assert.Equal(7, reply.Index);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>bad gateway</html>")]
    [InlineData("""{"index":5,""")]
    [InlineData("[1,2]")]
    public void A_body_that_is_not_a_json_object_never_throws(string body)
    {
        var reply = Parse(body);

        Assert.Null(reply.Acks);
    }

    private static WriteReply Parse(string json, bool wantDetail = false) => WriteReply.Parse(Encoding.UTF8.GetBytes(json), wantDetail);
}
