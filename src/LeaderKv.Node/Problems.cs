using Microsoft.AspNetCore.Http.HttpResults;

namespace LeaderKv.Node;

/// <summary>
/// Every error the node answers with, as RFC 9457 problem details. The seed's status codes are
/// kept where the seed defines them (400 for a write to a follower or a replicate to the leader,
/// 500 for quorum not met) because seed clients depend on them.
/// </summary>
public static class Problems
{
    private const string TypeBase = "https://leaderkv.dev/problems/";

    public static ProblemHttpResult NotLeader(Uri? leader) => TypedResults.Problem(
        detail: "Only leader accepts writes",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Not the leader",
        type: TypeBase + "not-leader",
        extensions: new Dictionary<string, object?> { ["leader"] = leader?.ToString() });

    public static ProblemHttpResult NotFollower() => TypedResults.Problem(
        detail: "Leader cannot receive replication",
        statusCode: StatusCodes.Status400BadRequest,
        title: "Not a follower",
        type: TypeBase + "not-follower");

    public static ProblemHttpResult QuorumNotMet(long index, int acks, int required) => TypedResults.Problem(
        detail: $"Write quorum not met: {acks} of {required} follower acks arrived in time. The write is applied on the leader at index {index} and will still replicate in the background; it is not rolled back.",
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Write quorum not met",
        type: TypeBase + "quorum-not-met",
        extensions: new Dictionary<string, object?> { ["index"] = index, ["acks"] = acks, ["required"] = required });

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
}
