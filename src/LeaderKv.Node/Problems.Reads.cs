using LeaderKv.Node.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeaderKv.Node;

/// <summary>The problems of the read side: linearizable reads, listings and watches.</summary>
public static partial class Problems
{
    /// <summary>400, the shape of the seed's not-leader: only the leader serves a linearizable read; its URL says where to go.</summary>
    public static ProblemHttpResult NotLeaderForRead(Uri? leader, string? leaderId) => TypedResults.Problem(
        detail: "Only the leader serves linearizable reads (consistency=linearizable); ask the leader, or read this node's own copy with consistency=local.",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Not the leader",
        type: TypeBase + "not-leader",
        extensions: new Dictionary<string, object?> { ["leader"] = leader?.ToString(), ["leaderId"] = leaderId });

    /// <summary>503: the leader could not confirm, within the wait, that no newer leader exists (too few nodes answered its round).</summary>
    public static IResult ReadUnconfirmed(TimeSpan electionTimeout, long term) => Unavailable(
        "read-unconfirmed",
        "Leadership not confirmed",
        "This node could not confirm that it still leads: too few nodes answered its confirmation round in time, so a newer leader may exist and its data may be stale. Nothing was read; retry after Retry-After, or on the current leader.",
        electionTimeout,
        term);

    /// <summary>503: leadership confirmed, but the commit index did not reach the read index within the wait.</summary>
    public static IResult ReadIndexNotApplied(long readIndex, long appliedThrough, long term) => Unavailable(
        "read-not-applied",
        "Read index not yet applied",
        $"Leadership is confirmed, but this node has applied through {appliedThrough}, not yet the read index {readIndex} (a write below it is still waiting for its quorum). Retry after Retry-After.",
        TimeSpan.FromSeconds(1),
        term);

    public static IResult ReadsOverloaded(long term) => Unavailable(
        "overloaded",
        "Too many reads waiting",
        "Too many linearizable reads are waiting for their confirmation round. Retry after Retry-After.",
        TimeSpan.FromSeconds(1),
        term);

    /// <summary>410: a watch asked for history this node no longer keeps; the client lists again and watches from the listing's index.</summary>
    public static ProblemHttpResult WatchCompacted(long since, long horizon) => TypedResults.Problem(
        detail: $"This node keeps changes after index {horizon} only (WATCH_HISTORY); a watch from {since} would miss some. List the keys again (GET /kv, whose answer says the index it reflects) and watch from that index.",
        statusCode: StatusCodes.Status410Gone,
        title: "Watch history compacted",
        type: TypeBase + "watch-compacted",
        extensions: new Dictionary<string, object?> { ["since"] = since, ["oldestIndex"] = horizon + 1, ["horizon"] = horizon });

    public static IResult TooManyWatchers(int limit) => new RetryAfterResult(
        TypedResults.Problem(
            detail: $"This node already serves {limit} watchers (WATCH_MAX_WATCHERS). Retry after Retry-After, or watch on another node.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Too many watchers",
            type: TypeBase + "too-many-watchers"),
        TimeSpan.FromSeconds(1));
}
