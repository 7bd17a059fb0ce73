using System.Text;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Endpoints;

/// <summary>The seed's client API (<c>/write</c>, <c>/data</c>) and single-key reads.</summary>
internal static class ClientEndpoints
{
    public static void MapClientEndpoints(this IEndpointRouteBuilder app, NodeSettings settings)
    {
        // Every node maps /write: which one leads is decided at run time, and a node that does not
        // lead answers with the seed's 400 and the leader's URL.
        app.MapPost("/write", WriteAsync)
            .RequireApiKey(ApiAccess.ReadWrite)
            .RequireJsonBody()
            .WithBodyLimit(settings.Security.MaxWriteBodyBytes)
            .WithName("Write")
            .WithTags("Client")
            .WithSummary("Write a key (on the leader; elsewhere 400 not-leader with the leader's URL)")
            .WithDescription("Gives the write the next index and answers after WRITE_QUORUM follower acks in the leader's term: outcome committed. A 500 quorum-not-met is outcome unknown: the write is in the leader's log and may still commit or be dropped by a new leader; read the key before retrying. 503 (no-leader, leader-recovering, quorum-unreachable, overloaded), 507 (disk-full: the leader's disk is full; quota-exceeded: past MAX_DATA_BYTES) and 4xx are rejected: nothing was written. 503 node-stopping: the node stops (a failed fsync); with an index the outcome is unknown.")
            .WithRequestBody<WriteRequestSchema>("application/json")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        app.MapGet("/data", ReadAll).RequireApiKey(ApiAccess.Read)
            .WithName("ReadAll")
            .WithTags("Client")
            .WithSummary("The whole store as a JSON object {key: value}")
            .WithDescription("Shows what this node has applied: committed writes, in index order. With minIndex, waits up to waitMs (default 1000) until this node has applied that index (read-your-writes), else 409 not-caught-up.")
            .Produces<Dictionary<string, System.Text.Json.JsonElement>>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/kv/{key}", ReadOne).RequireApiKey(ApiAccess.Read)
            .WithName("ReadKey")
            .WithTags("Client")
            .WithSummary("One key's value and the index of the write that set it")
            .WithDescription("With minIndex, waits up to waitMs (default 1000) until this node has applied that index (read-your-writes), else 409 not-caught-up.")
            .Produces<KeyValueSchema>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> WriteAsync(
        HttpRequest request, ReplicaDriver replica, NodeSettings settings, ILogger<ReplicaDriver> logger, CancellationToken token)
    {
        var (document, error) = await RequestBody.ReadJsonAsync(request, token);
        if (document is null)
        {
            return Problems.MalformedJson(error!);
        }

        WriteRequestParse parse;
        using (document)
        {
            parse = WriteRequestReader.Parse(document);
        }

        if (!parse.IsValid)
        {
            return Problems.Invalid(parse.ErrorField!, parse.Error!);
        }

        if (Encoding.UTF8.GetByteCount(parse.Key!) is var keyBytes && keyBytes > settings.Security.MaxKeyBytes)
        {
            return Problems.Invalid("key", $"The 'key' field is {keyBytes} bytes of UTF-8; this node accepts at most {settings.Security.MaxKeyBytes} (MAX_KEY_BYTES).");
        }

        if (parse.Value!.Length > settings.Security.MaxValueBytes)
        {
            return Problems.ValueTooLarge(parse.Value.Length, settings.Security.MaxValueBytes);
        }

        var result = await replica.WriteAsync(parse.Key!, parse.Value!, token);
        var proposal = result.Proposal;
        if (result.NodeStopping)
        {
            return Problems.NodeStopping(proposal.IsAccepted ? proposal.Index : 0, proposal.Term);
        }

        switch (proposal.Status)
        {
            case ProposeStatus.NotLeader:
                return Problems.NotLeader(result.LeaderUrl ?? settings.LeaderUrl, proposal.LeaderId);
            case ProposeStatus.NoLeader:
                return Problems.NoLeader(settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.Recovering:
                return Problems.LeaderRecovering(settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.QuorumUnreachable:
                return Problems.QuorumUnreachable(settings.WriteQuorum, settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.Overloaded:
                return Problems.Overloaded(proposal.Term);
            case ProposeStatus.StorageFull:
                return Problems.DiskFull(proposal.Term);
            case ProposeStatus.QuotaExceeded:
                var (size, growth) = replica.Read(table => (table.Bytes, table.GrowthOf(parse.Key!, parse.Value!.Length)));
                return Problems.QuotaExceeded(settings.MaxDataBytes, size, growth);
        }

        var outcome = result.Outcome!.Value;
        if (outcome.Kind == WriteOutcomeKind.NotLogged)
        {
            return Problems.DiskFull(outcome.Term);
        }

        if (outcome.Kind != WriteOutcomeKind.Committed)
        {
            logger.OutcomeUnknown(outcome.Index, outcome.Term, outcome.Acks, settings.WriteQuorum);
            return Problems.QuorumNotMet(outcome.Index, outcome.Term, outcome.Acks, settings.WriteQuorum);
        }

        // The seed answers "written_local_only" when it has no followers to replicate to.
        var status = settings.Followers.Count == 0 ? "written_local_only" : "success";
        return TypedResults.Ok(new WriteAccepted(status, true, outcome.Index, outcome.Acks, settings.WriteQuorum, outcome.CompletingDelay.TotalMilliseconds, "committed", outcome.Term));
    }

    private static async Task<IResult> ReadAll(INodeStore store, long? minIndex, int? waitMs, CancellationToken token)
    {
        if (await ReadYourWrites.CheckAsync(store, minIndex, waitMs, token) is { } problem)
        {
            return problem;
        }

        var entries = store.Read(table => table.Entries.ToArray());
        return new RawJsonResult(writer =>
        {
            writer.WriteStartObject();
            foreach (var (key, value) in entries)
            {
                writer.WritePropertyName(key);
                writer.WriteRawValue(value.Value.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> ReadOne(string key, INodeStore store, long? minIndex, int? waitMs, CancellationToken token)
    {
        if (await ReadYourWrites.CheckAsync(store, minIndex, waitMs, token) is { } problem)
        {
            return problem;
        }

        var found = store.Read(table => table.TryGet(key, out var value) ? value : (VersionedValue?)null);
        if (found is not { } value)
        {
            return Problems.KeyNotFound(key);
        }

        return new RawJsonResult(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WritePropertyName("value");
            writer.WriteRawValue(value.Value.Span, skipInputValidation: true);
            writer.WriteNumber("index", value.Index);
            writer.WriteEndObject();
        });
    }
}
