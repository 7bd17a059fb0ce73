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
            .WithDescription("Gives the write the next index and answers after WRITE_QUORUM follower acks in the leader's term: outcome committed. A 500 quorum-not-met is outcome unknown: the write is in the leader's log and may still commit or be dropped by a new leader; read the key before retrying, or retry with the same Idempotency-Key. 503 (no-leader, leader-recovering, quorum-unreachable, overloaded), 507 (disk-full: the leader's disk is full; quota-exceeded: past MAX_DATA_BYTES) and 4xx are rejected: nothing was written. 503 node-stopping: the node stops (a failed fsync); with an index the outcome is unknown. Optional: an Idempotency-Key header (a retry gets the first answer, with Idempotent-Replayed: true, instead of a second write; 422 if the key was used for another write) and ?ttl=S (the key expires S seconds after the leader took it).")
            .WithRequestBody<WriteRequestSchema>("application/json")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        app.MapGet("/data", ReadAll).RequireApiKey(ApiAccess.Read)
            .WithName("ReadAll")
            .WithTags("Client")
            .WithSummary("The whole store as a JSON object {key: value}")
            .WithDescription("Shows what this node has applied: committed writes, in index order. consistency=local (the default, the seed's read) answers from this node's applied prefix; consistency=linearizable (leader only, else 400 not-leader) first confirms leadership with a fresh round and waits until every write answered committed before the read is applied (503 read-unconfirmed / read-not-applied otherwise). With minIndex, waits up to waitMs (default 1000) until this node has applied that index (read-your-writes), else 409 not-caught-up.")
            .Produces<Dictionary<string, System.Text.Json.JsonElement>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/kv/{key}", ReadOne).RequireApiKey(ApiAccess.Read)
            .WithName("ReadKey")
            .WithTags("Client")
            .WithSummary("One key's value and the index of the write that set it (also as ETag: \"index\")")
            .WithDescription("consistency=local (the default) reads this node's applied copy, possibly stale; consistency=linearizable (leader only, else 400 not-leader with the leader's URL) reflects every write answered committed before the read (503 read-unconfirmed when leadership cannot be confirmed). With minIndex, waits up to waitMs (default 1000) until this node has applied that index (read-your-writes), else 409 not-caught-up.")
            .Produces<KeyValueSchema>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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

        var (ttl, ttlError) = WriteHeaders.TimeToLive(request);
        if (ttlError is not null)
        {
            return Problems.Invalid("ttl", ttlError);
        }

        var (idempotencyKey, idempotencyError) = WriteHeaders.IdempotencyKey(request);
        if (idempotencyError is not null)
        {
            return Problems.Invalid(WriteHeaders.IdempotencyKeyHeader, idempotencyError);
        }

        var command = WriteCommand.Put(parse.Key!, parse.Value!) with { TimeToLive = ttl, IdempotencyKey = idempotencyKey };
        var result = await replica.WriteAsync(command, token);
        return WriteAnswers.From(result, command, replica, settings, logger, request.HttpContext.Response);
    }

    private static async Task<IResult> ReadAll(INodeStore store, NodeSettings settings, string? consistency, long? minIndex, int? waitMs, CancellationToken token)
    {
        if (await ReadConsistency.CheckAsync(store, settings, consistency, minIndex, waitMs, token) is { } problem)
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

    private static async Task<IResult> ReadOne(string key, INodeStore store, NodeSettings settings, string? consistency, long? minIndex, int? waitMs, HttpResponse response, CancellationToken token)
    {
        if (await ReadConsistency.CheckAsync(store, settings, consistency, minIndex, waitMs, token) is { } problem)
        {
            return problem;
        }

        var found = store.Read(table => table.TryGet(key, out var value) ? value : (VersionedValue?)null);
        if (found is not { } value)
        {
            return Problems.KeyNotFound(key);
        }

        // The version as an entity tag, for If-Match on a later PUT or DELETE.
        response.Headers.ETag = EntityTag.Of(value.Index);
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
