using LeaderKv.Node.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeaderKv.Node;

/// <summary>
/// Every error the node answers with, as RFC 9457 problem details. The seed's status codes are
/// kept where the seed defines them (400 for a write to a follower or a replicate to the leader,
/// 500 for quorum not met) because seed clients depend on them.
/// </summary>
public static partial class Problems
{
    private const string TypeBase = "https://leaderkv.dev/problems/";

    public static ProblemHttpResult NotLeader(Uri? leader, string? leaderId = null) => TypedResults.Problem(
        detail: "Only leader accepts writes",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Not the leader",
        type: TypeBase + "not-leader",
        extensions: new Dictionary<string, object?> { ["leader"] = leader?.ToString(), ["leaderId"] = leaderId, ["outcome"] = "rejected" });

    /// <summary>503 during an election: nothing entered the log, so the client retries after <c>Retry-After</c>.</summary>
    public static IResult NoLeader(TimeSpan electionTimeout, long term) => Unavailable(
        "no-leader",
        "No leader",
        "No leader is known: an election is under way. Nothing was written; retry after Retry-After.",
        electionTimeout,
        term);

    public static IResult LeaderRecovering(TimeSpan electionTimeout, long term) => Unavailable(
        "leader-recovering",
        "Leader recovering",
        "This node was just elected and is recovering the writes its voters hold (catching up to the highest committed index and re-proposing what lies above it); it serves writes once that is done. Nothing was written; retry after Retry-After.",
        electionTimeout,
        term);

    public static IResult QuorumUnreachable(int writeQuorum, TimeSpan electionTimeout, long term) => Unavailable(
        "quorum-unreachable",
        "Write quorum unreachable",
        $"Fewer than WRITE_QUORUM ({writeQuorum}) followers answered within an election timeout, so this write could not commit. Nothing was written; retry after Retry-After.",
        electionTimeout,
        term);

    public static IResult Overloaded(long term) => Unavailable(
        "overloaded",
        "Too many uncommitted writes",
        "Too many writes are waiting for their quorum. Nothing was written; retry after Retry-After.",
        TimeSpan.FromSeconds(1),
        term);

    /// <summary>
    /// 507: this node's disk is full, so it could not log the write. Nothing was written (the leader
    /// takes a write it could not log out of its log before any follower sees it); the node keeps
    /// serving reads and takes writes again by itself once the disk has room.
    /// </summary>
    public static IResult DiskFull(long term) => new RetryAfterResult(
        TypedResults.Problem(
            detail: "The leader's disk is full (no space left on the device, or its quota): the write could not be logged, so nothing was written. Reads still work. Free space or grow the file system; the node takes writes again by itself, without a restart. Retry after Retry-After.",
            statusCode: StatusCodes.Status507InsufficientStorage,
            title: "Disk full",
            type: TypeBase + "disk-full",
            extensions: new Dictionary<string, object?> { ["outcome"] = "rejected", ["term"] = term }),
        TimeSpan.FromSeconds(1));

    /// <summary>507: the write would take the table past MAX_DATA_BYTES. Writes that shrink the data (overwrites with smaller values) are still taken.</summary>
    public static ProblemHttpResult QuotaExceeded(long quota, long size, long growth) => TypedResults.Problem(
        detail: $"This write would grow the data by {growth} bytes to {size + growth}, past the quota of {quota} bytes (MAX_DATA_BYTES); the data holds {size} bytes. Nothing was written. Writes that make the data smaller are still accepted.",
        statusCode: StatusCodes.Status507InsufficientStorage,
        title: "Data quota exceeded",
        type: TypeBase + "quota-exceeded",
        extensions: new Dictionary<string, object?> { ["quota"] = quota, ["size"] = size, ["growth"] = growth, ["outcome"] = "rejected" });

    /// <summary>
    /// 503: the node is stopping (after a failed fsync or a broken invariant). A write that had an index
    /// has an unknown outcome (it may be on disk or not); one without was rejected.
    /// </summary>
    public static ProblemHttpResult NodeStopping(long index, long term) => TypedResults.Problem(
        detail: index > 0
            ? $"This node is stopping (its storage failed or it found a broken invariant; its log says why) before this write's outcome was known: it is in the log at index {index} (term {term}) and may or may not survive. Read the key on the new leader before you retry."
            : "This node is stopping (its storage failed or it found a broken invariant; its log says why). Nothing was written; write to another node.",
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Node stopping",
        type: TypeBase + "node-stopping",
        extensions: index > 0
            ? new Dictionary<string, object?> { ["index"] = index, ["term"] = term, ["outcome"] = "unknown" }
            : new Dictionary<string, object?> { ["outcome"] = "rejected" });

    /// <summary>503 for a storage failure that reached a request (never expected: the driver handles them); out of space it is 507.</summary>
    public static IResult StorageFailed(bool outOfSpace) => outOfSpace
        ? DiskFull(0)
        : TypedResults.Problem(
            detail: "This node's storage failed; it stops so that it never acknowledges what it did not store. Use another node.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Node stopping",
            type: TypeBase + "node-stopping");

    public static ProblemHttpResult ClusterMismatch(string? theirs, string? ours) => TypedResults.Problem(
        detail: $"This message comes from a node of another cluster: its PEERS/WRITE_QUORUM fingerprint is '{theirs ?? "none"}', this node's is '{ours ?? "none"}'. Every node needs the same PEERS and WRITE_QUORUM.",
        statusCode: StatusCodes.Status409Conflict,
        title: "Cluster mismatch",
        type: TypeBase + "cluster-mismatch");

    private static IResult Unavailable(string type, string title, string detail, TimeSpan retryAfter, long term) => new RetryAfterResult(
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: title,
            type: TypeBase + type,
            extensions: new Dictionary<string, object?> { ["outcome"] = "rejected", ["term"] = term }),
        retryAfter);

    public static ProblemHttpResult NotFollower() => TypedResults.Problem(
        detail: "Leader cannot receive replication",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Not a follower",
        type: TypeBase + "not-follower");

    public static ProblemHttpResult QuorumNotMet(long index, long term, int acks, int required) => TypedResults.Problem(
        detail: $"Write quorum not met: {acks} of {required} follower acks arrived in time. The outcome is unknown: the write is in the leader's log at index {index} (term {term}) and may still commit, or a new leader may drop it. Read the key before you retry.",
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Write quorum not met",
        type: TypeBase + "quorum-not-met",
        extensions: new Dictionary<string, object?> { ["index"] = index, ["term"] = term, ["acks"] = acks, ["required"] = required, ["outcome"] = "unknown" });

    /// <summary>
    /// 412: the write's condition (If-Match / If-None-Match) did not hold when its entry was applied.
    /// The entry is committed at <paramref name="index"/> with no effect; <paramref name="currentIndex"/>
    /// is the key's version it was checked against (0: the key did not exist).
    /// </summary>
    public static ProblemHttpResult PreconditionFailed(string key, long index, long term, long currentIndex) => TypedResults.Problem(
        detail: currentIndex == 0
            ? $"The condition did not hold: key '{key}' does not exist. Nothing was changed (the write is committed at index {index} with no effect)."
            : $"The condition did not hold: key '{key}' is at index {currentIndex}. Nothing was changed (the write is committed at index {index} with no effect).",
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "Precondition failed",
        type: TypeBase + "precondition-failed",
        extensions: new Dictionary<string, object?>
        {
            ["key"] = key, ["currentIndex"] = currentIndex, ["index"] = index, ["term"] = term, ["outcome"] = "committed", ["verdict"] = "condition-failed",
        });

    /// <summary>422: the Idempotency-Key names an earlier write that asked something else.</summary>
    public static ProblemHttpResult IdempotencyKeyReused(string idempotencyKey, long index) => TypedResults.Problem(
        detail: $"The Idempotency-Key '{idempotencyKey}' was used for a different write (index {index}): a retry must repeat the same key, value, operation and condition. Nothing was written; use a new key for a new write.",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency key reused",
        type: TypeBase + "idempotency-key-reused",
        extensions: new Dictionary<string, object?> { ["index"] = index, ["outcome"] = "rejected" });

    public static ProblemHttpResult MalformedJson(string reason) => TypedResults.Problem(
        detail: $"The body is not valid JSON: {reason}",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed JSON",
        type: TypeBase + "malformed-json");

    public static ValidationProblem Invalid(string field, string error) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [error] },
        detail: error,
        type: TypeBase + "validation");

    public static ProblemHttpResult BadAppend(string reason) => TypedResults.Problem(
        detail: reason,
        statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed append",
        type: TypeBase + "malformed-append");

    public static ProblemHttpResult KeyNotFound(string key) => TypedResults.Problem(
        detail: $"Key '{key}' does not exist.",
        statusCode: StatusCodes.Status404NotFound,
        title: "Key not found",
        type: TypeBase + "key-not-found");

    public static ProblemHttpResult NotCaughtUp(long minIndex, long appliedThrough) => TypedResults.Problem(
        detail: $"This node has applied through index {appliedThrough}, not yet {minIndex}. Retry, wait longer (waitMs), or read from the leader.",
        statusCode: StatusCodes.Status409Conflict,
        title: "Not caught up",
        type: TypeBase + "not-caught-up",
        extensions: new Dictionary<string, object?> { ["minIndex"] = minIndex, ["appliedThrough"] = appliedThrough });

    public static ProblemHttpResult ReplicationUnauthenticated(string reason) => TypedResults.Problem(
        detail: $"Replication requests must be signed by the leader with the cluster secret: {reason}",
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Replication not authenticated",
        type: TypeBase + "replication-unauthenticated");

    public static ProblemHttpResult ApiKeyMissing() => TypedResults.Problem(
        detail: "This node requires an API key: send 'Authorization: Bearer <key>'.",
        statusCode: StatusCodes.Status401Unauthorized,
        title: "API key required",
        type: TypeBase + "api-key-required");

    public static ProblemHttpResult ApiKeyInvalid() => TypedResults.Problem(
        detail: "The API key is not valid on this node.",
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Invalid API key",
        type: TypeBase + "api-key-invalid");

    public static ProblemHttpResult ReadOnlyKey() => TypedResults.Problem(
        detail: "This API key may read but not write; writes need a key with 'rw' access.",
        statusCode: StatusCodes.Status403Forbidden,
        title: "Read-only API key",
        type: TypeBase + "read-only-key");

    public static ProblemHttpResult ValueTooLarge(int bytes, int limit) => TypedResults.Problem(
        detail: $"The value is {bytes} bytes of JSON; this node accepts at most {limit} (MAX_VALUE_BYTES).",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Value too large",
        type: TypeBase + "value-too-large",
        extensions: new Dictionary<string, object?> { ["bytes"] = bytes, ["limit"] = limit });

    public static ProblemHttpResult BodyTooLarge(long? limit) => TypedResults.Problem(
        detail: limit is { } bytes ? $"The request body exceeds this endpoint's limit of {bytes} bytes." : "The request body is too large.",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        type: TypeBase + "body-too-large",
        extensions: new Dictionary<string, object?> { ["limit"] = limit });

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) => TypedResults.Problem(
        detail: contentType is null
            ? "The request has no Content-Type; send the body as JSON with 'Content-Type: application/json'."
            : $"The body is declared '{contentType}'; send it as JSON with 'Content-Type: application/json'.",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        type: TypeBase + "unsupported-media-type");

    /// <summary>A request Kestrel itself refused while the handler read it (bad framing, a body sent too slowly).</summary>
    public static ProblemHttpResult BadRequest(int statusCode, string detail) => TypedResults.Problem(
        detail: detail,
        statusCode: statusCode,
        title: "Bad request",
        type: TypeBase + "bad-request");

    /// <summary>Says what went wrong in the problems the framework writes itself (no route, wrong method).</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        if (problem.Detail is not null)
        {
            return;
        }

        switch (problem.Status)
        {
            case StatusCodes.Status404NotFound:
                problem.Detail = $"No endpoint at {request.Path}.";
                break;
            case StatusCodes.Status405MethodNotAllowed:
                var allowed = context.HttpContext.Response.Headers.Allow.ToString();
                problem.Detail = allowed.Length > 0
                    ? $"{request.Method} is not allowed on {request.Path}; allowed: {allowed}."
                    : $"{request.Method} is not allowed on {request.Path}.";
                break;
        }
    }
}
