using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Endpoints;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Faults;

/// <summary>
/// <c>/admin/faults</c>, mapped only with FAULT_INJECTION=true: <c>POST</c> sets the plan (it
/// replaces the previous one), <c>DELETE</c> heals, <c>GET</c> shows it. Signed with the cluster
/// secret like replication, since it can cut a node off as surely as a cable.
/// </summary>
internal static class FaultEndpoints
{
    /// <summary>A delay longer than this is a partition by another name; use drop.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static void MapFaultEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        if (!settings.FaultInjection)
        {
            return;
        }

        var faults = app.MapGroup("/admin/faults").RequireClusterAuthentication().WithTags("Fault injection (tests)");
        faults.MapPost("", SetAsync).RequireJsonBody().WithBodyLimit(64 * 1024)
            .WithName("SetFaults")
            .WithSummary("Drop or delay traffic to and from named peers (FAULT_INJECTION=true only; signed with CLUSTER_SECRET)")
            .WithDescription("Body {\"drop\":[peer ids],\"delay\":{\"peer id\":ms}} replaces the current plan. Dropped: requests to the peer fail and its replication requests are cut off; delayed: both wait that long.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        faults.MapDelete("", (FaultState state) =>
            {
                state.Heal();
                return Describe(state.Plan);
            })
            .WithName("HealFaults").WithSummary("Remove every injected fault");
        faults.MapGet("", (FaultState state) => Describe(state.Plan))
            .WithName("GetFaults").WithSummary("The faults now injected");
    }

    private static async Task<IResult> SetAsync(HttpRequest request, FaultState state, NodeSettings settings, CancellationToken token)
    {
        var (document, error) = await RequestBody.ReadJsonAsync(request, token);
        if (document is null)
        {
            return Problems.MalformedJson(error!);
        }

        using (document)
        {
            var parsed = Parse(document.RootElement, settings);
            if (parsed.Error is { } problem)
            {
                return Problems.Invalid(problem.Field, problem.Message);
            }

            state.Set(parsed.Plan!);
            return Describe(parsed.Plan!);
        }
    }

    internal static (FaultPlan? Plan, (string Field, string Message)? Error) Parse(JsonElement root, NodeSettings settings)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ("body", "The body must be a JSON object like {\"drop\":[\"node-1\"],\"delay\":{\"node-2\":200}}."));
        }

        var known = settings.Peers.Select(p => p.Id).Where(id => !string.Equals(id, settings.NodeId, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var drop = new HashSet<string>(StringComparer.Ordinal);
        var delay = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "drop" when property.Value.ValueKind == JsonValueKind.Array:
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String || !known.Contains(item.GetString()!))
                        {
                            return (null, ("drop", $"'drop' must list ids of this node's peers ({string.Join(", ", known.Order(StringComparer.Ordinal))}); got {item.GetRawText()}."));
                        }

                        drop.Add(item.GetString()!);
                    }

                    break;
                case "delay" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var peer in property.Value.EnumerateObject())
                    {
                        if (!known.Contains(peer.Name))
                        {
                            return (null, ("delay", $"'delay' names '{peer.Name}', which is not one of this node's peers."));
                        }

                        if (!peer.Value.TryGetInt32(out var ms) || ms < 0 || TimeSpan.FromMilliseconds(ms) > MaxDelay)
                        {
                            return (null, ("delay", $"The delay for '{peer.Name}' must be a whole number of milliseconds between 0 and {MaxDelay.TotalMilliseconds}."));
                        }

                        delay[peer.Name] = TimeSpan.FromMilliseconds(ms);
                    }

                    break;
                case "drop" or "delay":
                    return (null, (property.Name, $"'{property.Name}' must be {(property.Name == "drop" ? "an array of peer ids" : "an object of peer id to milliseconds")}."));
                default:
                    return (null, (property.Name, $"Unknown field '{property.Name}': only 'drop' and 'delay' are understood."));
            }
        }

        return (new FaultPlan(drop, delay), null);
    }

    private static RawJsonResult Describe(FaultPlan plan) => new(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("drop");
        foreach (var peer in plan.Drop.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(peer);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("delay");
        foreach (var (peer, delay) in plan.Delay.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(peer, (long)delay.TotalMilliseconds);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });
}
