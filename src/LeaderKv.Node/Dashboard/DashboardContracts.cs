using System.Text.Json.Serialization;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// What one node tells the dashboards of its cluster about itself (<c>GET /ui/node</c>, signed like
/// replication): its replica's state, on the leader each follower's progress, its write window and
/// its recent events.
/// </summary>
public sealed record NodeReport(
    string NodeId,
    string Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedThrough,
    long LastIndex,
    int Pending,
    bool Recovering,
    bool Tainted,
    IReadOnlyList<FollowerReport>? Followers,
    WriteStats Writes,
    IReadOnlyList<RecentWrite> RecentWrites,
    string FeedRun,
    IReadOnlyList<FeedEvent> Feed);

/// <param name="Id">The follower's node id.</param>
/// <param name="Url">Its URL, when the leader knows it.</param>
/// <param name="State">The leader's view: streaming, snapshot (being sent one) or down.</param>
/// <param name="AckedIndex">Highest index the follower acked in the leader's term.</param>
/// <param name="AppliedThrough">The follower's applied index as it last reported it to the leader.</param>
/// <param name="Lag">Entries the leader holds that the follower has not applied.</param>
/// <param name="LastHeardMsAgo">Since the follower last answered the leader; null before it ever did.</param>
public sealed record FollowerReport(string Id, string? Url, string State, long AckedIndex, long AppliedThrough, long Lag, double? LastHeardMsAgo);

/// <summary>The leader's writes over the last minute, one bucket per second (oldest first).</summary>
/// <param name="CommittedPerSecond">Committed writes in each of the last 60 seconds, the current (partial) second last.</param>
/// <param name="Committed">Committed in the last minute.</param>
/// <param name="Rejected">Refused before they got an index (this node was not the leader, or could not take writes).</param>
/// <param name="Unknown">Got an index but no quorum in time (the seed's 500).</param>
/// <param name="P50Ms">Median latency of the committed writes, from arrival to answer; null without any.</param>
/// <param name="P99Ms">99th percentile of the same.</param>
/// <param name="MaxMs">Slowest of the same.</param>
public sealed record WriteStats(IReadOnlyList<int> CommittedPerSecond, long Committed, long Rejected, long Unknown, double? P50Ms, double? P99Ms, double? MaxMs);

/// <param name="Index">The write's slot.</param>
/// <param name="Term">The term it was committed in.</param>
/// <param name="Key">Its key.</param>
/// <param name="AckedBy">Followers whose highest acked index had reached it when the leader saw it committed (the quorum and any follower as fast).</param>
/// <param name="AtMs">When the leader saw it committed (Unix ms).</param>
public sealed record RecentWrite(long Index, long Term, string Key, IReadOnlyList<string> AckedBy, long AtMs);

/// <param name="Sequence">Increasing within one run of a node (<see cref="NodeReport.FeedRun"/>).</param>
/// <param name="AtMs">Unix ms.</param>
/// <param name="Node">Which node saw it.</param>
/// <param name="Kind">A stable name: BecameLeader, FollowerDown, SnapshotSent, CaughtUp, Write, NodeUnreachable, ...</param>
/// <param name="Text">One line for people.</param>
public sealed record FeedEvent(long Sequence, long AtMs, string Node, string Kind, string Text);

/// <summary>One Server-Sent Event of <c>/ui/events</c>: the whole cluster as the node serving the page sees it.</summary>
public sealed record ClusterFrame(
    long AtMs,
    string Self,
    bool Control,
    string? LeaderId,
    long Term,
    int WriteQuorum,
    IReadOnlyList<NodeCard> Nodes,
    RecentWrite? LatestWrite,
    WriteStats? Writes,
    IReadOnlyList<FeedEvent> Feed);

/// <summary>
/// One node's row on the page. <c>Up</c>: it answered the dashboard's last poll (the page's own node
/// always does). <c>LagEntries</c>: committed entries it has not applied yet (against the leader's
/// commit index). <c>LagMs</c>: how long ago the oldest committed entry it has not applied was
/// committed, as the page's node saw the leader's commit index move (0 when caught up).
/// <c>LeaderView</c>: the leader's view of it, when it is a follower and the leader answered.
/// </summary>
public sealed record NodeCard(
    string Id,
    string Url,
    bool Up,
    string? Error,
    string? Role,
    long? Term,
    long? CommitIndex,
    long? AppliedThrough,
    long? LastIndex,
    bool Recovering,
    bool Tainted,
    long? LagEntries,
    double? LagMs,
    FollowerReport? LeaderView);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeReport))]
[JsonSerializable(typeof(ClusterFrame))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
