using LeaderKv.Node.Endpoints;

namespace LeaderKv.Node.Dashboard;

/// <summary>The dashboard's problem types, under the same base URI as <see cref="Problems"/>.</summary>
internal static class DashboardProblems
{
    private const string TypeBase = "https://leaderkv.dev/problems/";

    public static IResult Busy(int streams) => new RetryAfterResult(
        TypedResults.Problem(
            type: TypeBase + "dashboard-busy",
            title: "Too many dashboard streams",
            detail: $"This node already serves {streams} dashboard streams; close one or use another node's /ui.",
            statusCode: StatusCodes.Status503ServiceUnavailable),
        TimeSpan.FromSeconds(5));

    public static IResult ControlUnavailable() => TypedResults.Problem(
        type: TypeBase + "control-unavailable",
        title: "No process control",
        detail: "This node was not started by `leaderkv up`, so nothing can stop, pause or restart its nodes from here.",
        statusCode: StatusCodes.Status404NotFound);

    public static IResult ControlForbidden(string reason) => TypedResults.Problem(
        type: TypeBase + "control-forbidden",
        title: "Process control refused",
        detail: reason,
        statusCode: StatusCodes.Status403Forbidden);

    public static IResult ControlFailed(string reason) => TypedResults.Problem(
        type: TypeBase + "control-failed",
        title: "The control endpoint did not answer",
        detail: reason,
        statusCode: StatusCodes.Status502BadGateway);
}
