using System.Text;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Protocol;

namespace LeaderKv.Cluster.Tests.Protocol;

/// <summary>Every replication message survives the wire: what one node writes, another reads back field for field.</summary>
public class MessageCodecTests
{
    private static readonly LogEntry Put = new(7, 3, "k", Encoding.UTF8.GetBytes("{\"n\":[1,2]}"));
    private static readonly LogEntry NoOp = LogEntry.NoOp(8, 3);
    private static readonly LogEntry Delete = new(9, 3, "k", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete, Condition = WriteCondition.IfIndex(7), IdempotencyKey = "r-1", StampMs = 1_700_000_000_000 };
    private static readonly LogEntry Conditional = new(10, 3, "c", Encoding.UTF8.GetBytes("true")) { Condition = WriteCondition.IfAbsent, ExpiresAtMs = 1_700_000_009_000, StampMs = 1 };
    private static readonly LogEntry Expiry = new(11, 4, "c", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Expire, Condition = WriteCondition.IfIndex(10) };
    private static readonly LogEntry MustExist = new(12, 4, "d", Encoding.UTF8.GetBytes("1")) { Condition = WriteCondition.IfExists };

    public static TheoryData<Message> Messages() => new()
    {
        new AppendRequest { From = "n0", To = "n1", Term = 3, Entries = [Put, NoOp], CommitIndex = 6, LeaderLastIndex = 8, LeaderIncarnation = 42 },
        new AppendRequest { From = "n0", To = "n1", Term = 3, Entries = [], CommitIndex = 6, LeaderLastIndex = 8, LeaderIncarnation = 42, ReadRound = 11 },
        new AppendRequest { From = "n0", To = "n1", Term = 4, Entries = [Delete, Conditional, Expiry, MustExist], CommitIndex = 6, LeaderLastIndex = 12, LeaderIncarnation = 42 },
        new AppendResponse { From = "n1", To = "n0", Term = 3, Acked = [7, 8], Refused = [9], AppliedThrough = 6, Incarnation = 5, LeaderIncarnation = 42, Tainted = true, Rejected = false },
        new AppendResponse { From = "n1", To = "n0", Term = 3, Acked = [], Refused = [7, 8], AppliedThrough = 6, Incarnation = 5, LeaderIncarnation = 42, DiskFull = true },
        new AppendResponse { From = "n1", To = "n0", Term = 3, Acked = [], AppliedThrough = 6, Incarnation = 5, LeaderIncarnation = 42, ReadRound = 11 },
        new AppendResponse { From = "n1", To = "n0", Term = 3, Acked = [], Refused = [7], AppliedThrough = 6, Incarnation = 5, LeaderIncarnation = 42, DiskFull = true, ReadRound = 12 },
        new PreVoteRequest { From = "n2", To = "n3", Term = 4 },
        new PreVoteResponse { From = "n3", To = "n2", Term = 4, Granted = true },
        new VoteRequest { From = "n2", To = "n3", Term = 4, Incarnation = 9 },
        new VoteResponse { From = "n3", To = "n2", Term = 4, Granted = true, Incarnation = 9, AppliedThrough = 6, Held = [Put, NoOp], Tainted = false },
        new FetchRequest { From = "n2", To = "n3", Term = 4, FromIndex = 1, ToIndex = 6 },
        new FetchResponse { From = "n3", To = "n2", Term = 4, Entries = [Put], Snapshot = new SnapshotImage(5, [new("a", new VersionedValue(Encoding.UTF8.GetBytes("1"), 4))]) },
        new FetchResponse
        {
            From = "n3", To = "n2", Term = 4, Entries = [Delete],
            Snapshot = new SnapshotImage(5, [new("a", new VersionedValue(Encoding.UTF8.GetBytes("1"), 4, ExpiresAtMs: 99))])
            {
                ClockMs = 500,
                Idempotency = [new IdempotencyRecord("r-1", 2, WriteVerdictKind.Applied, 2, ulong.MaxValue, 100), new IdempotencyRecord("r-2", 3, WriteVerdictKind.ConditionFailed, 2, 7, 400)],
            },
        },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_read_back_equals_the_one_written(Message message)
    {
        var parsed = MessageCodec.Read(MessageCodec.Write(message, "abc"), "nobody");

        Assert.Null(parsed.Error);
        Assert.Equal("abc", parsed.Cluster);
        Assert.Equal(Describe(message), Describe(parsed.Message!));
    }

    [Fact]
    public void The_disk_full_refusal_is_written_only_when_set_and_an_answer_without_it_reads_as_not_full()
    {
        // Goal: nodes of the version before it (which neither write nor read "diskFull") and this one understand each other.
        var ordinary = new AppendResponse { From = "n1", To = "n0", Term = 3, Acked = [7], AppliedThrough = 6, Incarnation = 5 };
        Assert.DoesNotContain("diskFull", Encoding.UTF8.GetString(MessageCodec.Write(ordinary, null)), StringComparison.Ordinal);

        var older = MessageCodec.Read(Encoding.UTF8.GetBytes("""{"type":"appendResponse","from":"n1","to":"n0","term":3,"acked":[7],"refused":[],"applied":6,"incarnation":5,"leaderIncarnation":0,"tainted":false,"rejected":false}"""), "n0");
        Assert.False(Assert.IsType<AppendResponse>(older.Message).DiskFull);
    }

    [Fact]
    public void A_version_1_append_without_a_type_still_parses_as_an_append()
    {
        var parsed = MessageCodec.Read(Encoding.UTF8.GetBytes("""{"term":1,"entries":[{"index":1,"term":1,"key":"k","value":"v"}]}"""), "follower-1");

        var append = Assert.IsType<AppendRequest>(parsed.Message);
        Assert.Equal("follower-1", append.To);
        Assert.Equal("k", Assert.Single(append.Entries).Key);
    }

    [Theory]
    [InlineData("""{"type":"vote","term":-1}""")]
    [InlineData("""{"type":"teleport","term":1}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":0,"term":1,"key":"k","value":1}]}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":1,"term":1,"key":"k","op":"explode"}]}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":1,"term":1,"key":"k","value":1,"if":{"index":0}}]}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":1,"term":1,"key":"k","value":1,"idempotencyKey":""}]}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":1,"term":1,"key":"k"}]}""")]
    [InlineData("""{"type":"append","term":1,"entries":[{"index":1,"term":1,"key":"","value":1}]}""")]
    [InlineData("""{"type":"appendResponse","term":1,"acked":[-4]}""")]
    [InlineData("""[1,2]""")]
    public void A_malformed_message_is_an_error_not_an_exception(string json)
    {
        var parsed = MessageCodec.Read(Encoding.UTF8.GetBytes(json), "n1");

        Assert.Null(parsed.Message);
        Assert.False(string.IsNullOrEmpty(parsed.Error));
    }

    /// <summary>A message as text, entries and snapshot included, so two can be compared field by field.</summary>
    private static string Describe(Message message)
    {
        var text = new StringBuilder(message with { RequestId = 0 } switch
        {
            AppendRequest a => (a with { Entries = [] }).ToString(),
            VoteResponse v => (v with { Held = [] }).ToString(),
            FetchResponse f => (f with { Entries = [], Snapshot = null }).ToString(),
            AppendResponse r => (r with { Acked = [], Refused = [] }).ToString() + string.Join(',', r.Acked) + "/" + string.Join(',', r.Refused),
            var other => other.ToString(),
        });
        var entries = message switch
        {
            AppendRequest a => a.Entries,
            VoteResponse v => v.Held,
            FetchResponse f => f.Entries,
            _ => [],
        };
        foreach (var entry in entries)
        {
            text.Append($"|{entry.Index}:{entry.Term}:{entry.Key}:{Encoding.UTF8.GetString(entry.Value.Span)}:{entry.IsNoOp}:{entry.Op}:{entry.Condition}:{entry.IdempotencyKey}:{entry.StampMs}:{entry.ExpiresAtMs}");
        }

        if (message is FetchResponse { Snapshot: { } snapshot })
        {
            text.Append($"|snapshot {snapshot.Index}");
            foreach (var (key, value) in snapshot.Entries)
            {
                text.Append($"|{key}={Encoding.UTF8.GetString(value.Value.Span)}@{value.Index}~{value.ExpiresAtMs}");
            }

            text.Append($"|clock {snapshot.ClockMs}|{string.Join(',', snapshot.Idempotency)}");
        }

        return text.ToString();
    }
}
